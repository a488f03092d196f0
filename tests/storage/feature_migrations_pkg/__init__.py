"""A feature's migrations package for tests/storage/test_feature_migrations.py: two numbered
modules and one helper module that discovery must skip."""
