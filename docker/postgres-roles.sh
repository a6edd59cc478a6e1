#!/bin/sh
# Runs once, when the PostgreSQL volume is initialised (docker-entrypoint-initdb.d), as the cluster's
# superuser. Creates the owner role (used only by the `migrate` job; owns the tables) and the
# application role (web, worker, beat: no superuser, owns nothing; its grants come from
# `manage.py grant_app_role`, run by the migrate job). See the README's Production section.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
     -v owner_password="$CHANGEMGMT_OWNER_PASSWORD" -v app_password="$CHANGEMGMT_APP_PASSWORD" <<'SQL'
CREATE ROLE changemgmt_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'owner_password';
CREATE ROLE changemgmt_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT PASSWORD :'app_password';
CREATE DATABASE changemgmt OWNER changemgmt_owner;
SQL
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname changemgmt <<'SQL'
ALTER SCHEMA public OWNER TO changemgmt_owner;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO changemgmt_app;
SQL
