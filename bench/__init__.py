"""`make bench`: a city-sized synthetic data set in PostgreSQL, served by gunicorn, under
concurrent load. Not part of `make test`."""
