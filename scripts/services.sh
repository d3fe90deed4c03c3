#!/usr/bin/env bash
# Make sure the local PostgreSQL and Redis that the scale-out, privacy and security tests use are
# up (this machine's packages; started the way the machine starts them). Fails loudly if not.
set -euo pipefail

if ! pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then
  echo "services: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "services: starting Redis"
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log || true
fi
for _ in $(seq 1 30); do
  pg_isready -h 127.0.0.1 -p 5432 -q && redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null && break
  sleep 1
done
pg_isready -h 127.0.0.1 -p 5432 -q || { echo "services: PostgreSQL is not reachable" >&2; exit 1; }
redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null || { echo "services: Redis is not reachable" >&2; exit 1; }
echo "services: PostgreSQL and Redis are up"
