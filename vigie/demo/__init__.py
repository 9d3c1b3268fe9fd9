"""Demo data only: Faker fr_FR people, GLPI- and Dolibarr-shaped databases, the `demo`
command. The product never imports this package (import contracts in `make test`)."""
