"""Storage: the only code that imports peewee (tables, migrations, database access)."""
