"""Data exchange with the province: the station's signed monthly package (报送包), its key and the
lead's page to build, keep and download it (docs/package.md)."""
