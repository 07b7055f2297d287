"""The provincial portal: the org tree, the package inbox and the tables (INSTANCE = "province")."""
