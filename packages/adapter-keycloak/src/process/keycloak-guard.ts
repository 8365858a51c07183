/**
 * The shell that stands between the supervisor and kc.sh. It leads its own process group and ties
 * Keycloak's life to the supervisor's:
 * - a watcher reads the guard's stdin (a pipe from the supervisor) until end of file, which comes
 *   when the supervisor closes it or dies for any reason, SIGKILL included; it then sends SIGTERM
 *   to kc.sh (which forwards it to the JVM), waits the grace period and SIGKILLs the whole group;
 * - SIGTERM or SIGINT to the guard is passed on to kc.sh, and the guard waits for Keycloak's exit;
 * - when Keycloak exits by itself, the guard exits with Keycloak's status.
 * So no JVM outlives the Node process that started it.
 */
export const KEYCLOAK_GUARD_SCRIPT = `
grace="$1"; shift
# Background jobs of a non-interactive shell read /dev/null: keep our stdin as fd 3 for the watcher.
exec 3<&0
"$@" < /dev/null 3<&- &
child=$!
(
  cat <&3 > /dev/null
  kill -TERM "$child" 2> /dev/null
  for _ in $(seq 1 "$grace"); do
    kill -0 "$child" 2> /dev/null || break
    sleep 1
  done
  kill -KILL -- -$$ 2> /dev/null
) > /dev/null 2>&1 &
exec 3<&-
terminating=""
trap 'terminating=1; kill -TERM "$child" 2> /dev/null' TERM INT
wait "$child"
status=$?
while [ -n "$terminating" ] && kill -0 "$child" 2> /dev/null; do
  wait "$child"
  status=$?
done
exit "$status"
`;
