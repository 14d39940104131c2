#!/bin/bash
# A one-node Slurm cluster on 127.0.0.1, everything under one folder: its own
# munge key and daemon, slurmctld and slurmd, configured from slurm.conf.in.
# Needs Debian's slurm-wlm and munge (see the README) and root (slurmd runs
# tasks as their users). Nothing outside the folder is written.
#
#   cluster/local-slurm.sh start DIR   start it; prints the line that points sbatch & co. at it
#   cluster/local-slurm.sh stop DIR    stop its daemons
#
# Ports: $LAB_SLURM_PORT (slurmctld) and the next one (slurmd), default 16817.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
action=${1:-}
dir=${2:-}
if [ -z "$action" ] || [ -z "$dir" ]; then
  echo "usage: $0 start|stop DIR" >&2
  exit 2
fi
port=${LAB_SLURM_PORT:-16817}
case "$port" in
  ''|*[!0-9]*) port_ok=0 ;;
  *) if [ "$port" -ge 1024 ] && [ "$port" -le 65534 ]; then port_ok=1; else port_ok=0; fi ;;
esac
if [ "$port_ok" = 0 ]; then
  echo "$0: \$LAB_SLURM_PORT must be a whole number in [1024, 65534] (slurmd takes the next port), got '$port'" >&2
  exit 2
fi
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf="$dir/slurm.conf"

stop() {
  for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
    if [ -s "$pidfile" ]; then kill "$(cat "$pidfile")" 2>/dev/null || true; fi
  done
  # Daemons leave their pid files behind; wait until they are gone.
  for _ in $(seq 50); do
    alive=0
    for pidfile in "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"; do
      if [ -s "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then alive=1; fi
    done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  rm -f "$dir/slurmd.pid" "$dir/slurmctld.pid" "$dir/munge/munged.pid"
}

case "$action" in
  stop)
    stop
    exit 0 ;;
  start) ;;
  *) echo "$0: unknown action '$action' (start or stop)" >&2; exit 2 ;;
esac

for tool in munged slurmctld slurmd sbatch; do
  command -v "$tool" >/dev/null || { echo "$0: $tool not found: install Debian's slurm-wlm and munge (apt-get install slurm-wlm munge)" >&2; exit 3; }
done
[ "$(id -u)" = 0 ] || { echo "$0: slurmd must run as root to start tasks; run as root" >&2; exit 3; }

stop
mkdir -p "$dir/state" "$dir/spool" "$dir/log" "$dir/munge"
chmod 700 "$dir/munge"
if [ ! -s "$dir/munge/munge.key" ]; then
  head -c 1024 /dev/urandom > "$dir/munge/munge.key"
  chmod 400 "$dir/munge/munge.key"
fi
memory_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 ))
sed -e "s#@DIR@#$dir#g" -e "s#@CPUS@#$(nproc)#g" -e "s#@MEMORY_MB@#$memory_mb#g" \
    -e "s#@CTLD_PORT@#$port#g" -e "s#@SLURMD_PORT@#$((port + 1))#g" "$here/slurm.conf.in" > "$conf"

# --force: munged refuses a key folder under a world-writable one (/tmp) otherwise.
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
       --pid-file="$dir/munge/munged.pid" --log-file="$dir/munge/munged.log" --seed-file="$dir/munge/munged.seed"
slurmctld -f "$conf"
slurmd -f "$conf" -N localhost
export SLURM_CONF="$conf"
for _ in $(seq 100); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qx idle; then
    echo "export SLURM_CONF=$conf"
    exit 0
  fi
  sleep 0.2
done
echo "$0: the cluster did not come up within 20 s; logs: $dir/log/ and $dir/munge/munged.log" >&2
sinfo >&2 || true
stop
exit 1
