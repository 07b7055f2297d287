"""Synthetic signed packages for the province's benches and tests: the real format (`portal.package/2`, or 1,
the tuples of `exchange.package.build`) and the real signing code, with made-up counts instead of a
station database, so that thousands of stations × months can be generated in minutes."""
import base64
import random

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ..exchange import signing
from ..exchange.package import BREAKDOWNS, CELLS, CODES, EXTRAS, periods
from ..reports.indicators import SPECS

NO_BREAKDOWN = {"TRAINING_ATTENDANCE", "TRAINING_HOURS", "EVENTS", "EVENTS_AUDIENCE"}  # docs/package.md
KINDS = {**{code: "rate" if SPECS[key].percent else "count" for key, code in CODES.items()},
         **{code: kind for code, (_, kind) in EXTRAS.items()}}


def split(total, weights):
    """`total` shared over the weights (which sum to 1) as integers that add up to it (sign kept)."""
    sign, total = (-1 if total < 0 else 1), abs(total)
    parts = [int(total * w) for w in weights]
    parts[0] += total - sum(parts)
    return [sign * p for p in parts]


class Station:
    """A made-up station: its code, key and size; `figures(element, period name, first)` gives its counts
    (`fixed`: {element: (numerator, denominator)} for every period, as a test chooses)."""

    def __init__(self, code, size, seed=0, fixed=None):
        self.code, self.size, self.fixed = code, size, fixed or {}
        self.key = Ed25519PrivateKey.generate()
        self.rng = random.Random("%s-%d" % (code, seed))
        self.weights = {}
        for dim, codes in BREAKDOWNS.items():
            raw = [self.rng.random() + 0.2 for _ in codes]
            self.weights[dim] = [r / sum(raw) for r in raw]

    @property
    def public_key(self):
        return base64.b64encode(signing.public_bytes(self.key)).decode("ascii")

    def figures(self, element, period, first):
        """(numerator, denominator or None) of one element for one of the package's periods."""
        if element in self.fixed:
            return self.fixed[element]
        rng, n = self.rng, self.size
        months = (first.month if period.startswith("year_to_date") else (first.month - 1) % 3 + 1
                  if period.startswith("quarter_to_date") else 1)
        if element == "REGISTERED_YOY":
            return rng.randint(-n // 4, n // 4), n
        if KINDS[element] == "rate":
            denominator = rng.randint(0, n) if element != "MAINTENANCE" else n // 2
            return rng.randint(0, denominator // 3), denominator
        if element in ("REGISTERED", "MAINTENANCE_COHORT", "ABSTINENT_3Y"):
            return n if element == "REGISTERED" else n // 3, None
        return sum(rng.randint(0, max(1, n // 5)) for _ in range(months)), None

    def payload(self, first, generated_at="2030-01-01T00:00:00Z", version=signing.FORMAT):
        values = []
        named = periods(first, version)
        texts = {}  # a text of two periods (the first quarter's quarter to date) is written once
        for name, (text, _) in named.items():
            texts.setdefault(text, name)
        for text, name in texts.items():
            for element in list(CODES.values()) + list(EXTRAS):
                numerator, denominator = self.figures(element, name, first)
                cells = [(None, numerator, denominator)]
                if element not in NO_BREAKDOWN:
                    for dim, codes in BREAKDOWNS.items():
                        nums = split(numerator, self.weights[dim])
                        dens = split(denominator, self.weights[dim]) if denominator is not None else [None] * len(codes)
                        cells += [((dim, c), a, b) for c, a, b in zip(codes, nums, dens)]
                for cell, a, b in cells:
                    values.append({"dataElement": element, "period": text, "orgUnit": self.code,
                                   "breakdown": {} if cell is None else {cell[0]: cell[1]},
                                   "numerator": a, "denominator": b})
        assert len(values) == len(texts) * sum(len(CELLS) if e not in NO_BREAKDOWN else 1 for e in KINDS)
        return {"format": version, "station": self.code, "month": "%04d-%02d" % (first.year, first.month),
                "periods": {name: text for name, (text, _) in named.items()}, "generatedAt": generated_at,
                "dataElements": KINDS, "breakdowns": {dim: list(codes) for dim, codes in BREAKDOWNS.items()},
                "values": values}

    def package(self, first, **kwargs):
        """The signed file's bytes."""
        return signing.sign(self.payload(first, **kwargs), self.key)
