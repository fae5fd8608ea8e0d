"""ideaflow's benchmark harness: seed a database in bulk, serve ideaflow as production does, load it, and
compare it with the limits of its own stack (a minimal FastAPI + asyncpg app and pgbench). Run `python -m bench`."""
