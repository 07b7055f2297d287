# Two commands for a fresh Debian 12 machine (as root): `make run` and `make test`.
VENV   ?= .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app portal
APT_RUN  := fonts-noto-cjk libharfbuzz-subset0 libpango-1.0-0 libpangoft2-1.0-0 poppler-utils
APT_TEST := chromium nginx systemd openssl postgresql
DEMO_PERSONS ?= 150

.PHONY: run test system system-test venv config db demo bench clean install uninstall upgrade \
	install-province uninstall-province province install-drill

run: system venv config demo
	$(FLASK) serve

# pytest, then the install drill: the real `make install` and `make uninstall` here (README, "The install drill")
test: system system-test venv-dev
	$(VENV)/bin/pytest -q
	python3 scripts/install_drill.py

install-drill:
	python3 scripts/install_drill.py

system:
	@missing=$$(for p in $(APT_RUN); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

system-test:
	@missing=$$(for p in $(APT_TEST); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi

$(VENV)/bin/python:
	python3 -m venv $(VENV)

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(VENV)/bin/python
	$(PY) -m pip install -q -r requirements-dev.txt
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
venv-dev: $(VENV)/.installed-dev

config:
	$(PY) scripts/write_config.py

db: venv config
	$(FLASK) init-db

# Demo data is loaded once, into an empty database.
demo: db
	@if [ ! -f instance/.demo-loaded ]; then $(FLASK) demo-data --persons $(DEMO_PERSONS) && touch instance/.demo-loaded; fi

bench: venv-dev config
	$(PY) scripts/bench.py
	$(PY) scripts/bench_writes.py
	$(PY) scripts/bench_pdf.py
	$(PY) scripts/bench_indicators.py
	$(PY) scripts/bench_ledgers.py
	$(PY) scripts/bench_backup.py
	$(PY) scripts/bench_package.py

clean:
	rm -rf $(VENV) .pytest_cache

# The province demo (docs/province.md): PostgreSQL under instance/province-pg, 25 stations' packages of
# 2021-01..2022-12 imported, served on 127.0.0.1:8001. A second run reuses the cluster and the data.
PROVINCE := PORTAL_CONFIG=$(CURDIR)/instance/province/config.py $(FLASK)
province: system venv
	@dpkg -s postgresql >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql)
	$(PY) scripts/province_cluster.py
	$(PROVINCE) init-db
	$(PROVINCE) province-init
	$(PROVINCE) province-demo
	$(PROVINCE) serve --port 8001

# A station PC (Debian 12, as root): the portal as a service behind HTTPS on the station's network.
# ADDRESS, SUBNET and STATION_HOST are guessed when not given; PREFIX is where the code goes (default /opt/portal).
APT_INSTALL := nginx openssl curl python3-venv $(APT_RUN)
install:
	@missing=$$(for p in $(APT_INSTALL); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	python3 scripts/install.py install $(if $(PREFIX),--prefix $(PREFIX)) $(if $(ADDRESS),--address $(ADDRESS)) $(if $(SUBNET),--subnet $(SUBNET)) $(if $(STATION_HOST),--hostname $(STATION_HOST))

uninstall:
	python3 scripts/install.py uninstall $(if $(PREFIX),--prefix $(PREFIX))

upgrade:
	python3 scripts/install.py upgrade $(if $(PREFIX),--prefix $(PREFIX))


# The province's server (Debian 12, as root): the same code as INSTANCE = "province" the same way, with
# PostgreSQL on this PC (Debian's postgresql) or DATABASE_URL=postgresql://… to an existing server.
APT_PROVINCE := nginx openssl curl python3-venv postgresql-client $(if $(DATABASE_URL),,postgresql) $(APT_RUN)
install-province:
	@missing=$$(for p in $(APT_PROVINCE); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing; fi
	python3 scripts/install.py install-province $(if $(PREFIX),--prefix $(PREFIX)) $(if $(ADDRESS),--address $(ADDRESS)) $(if $(SUBNET),--subnet $(SUBNET)) $(if $(STATION_HOST),--hostname $(STATION_HOST))

uninstall-province:
	python3 scripts/install.py uninstall-province $(if $(PREFIX),--prefix $(PREFIX))
