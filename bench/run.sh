#!/usr/bin/env bash
# Benchmarks our hello world against the same hello world on raw Undertow, Netty 4.1 (epoll) and Jetty 12 core,
# each on one event loop; docs/benchmarks.md explains it.
#
#   bench/run.sh [throughput] [multi] [startup] [idle] [large] [statsd] [footprint] [profile] [blocking] [versus]
#                (no argument: all but statsd, footprint, profile, blocking and versus, in order)
#
#   throughput  all four servers side by side, one core each: req/s, p99, CPU per request, our ratio to each peer
#   multi       the same four with LOOPS event loops each on LOOPS cores, wrk on the rest; skips below 4 cores
#   startup, idle, large, statsd   ours against raw Undertow (statsd: only when named)
#   footprint   the command line on JDK 25, launched as is and lean: first 200 and RSS (only when named)
#   profile     ours under keep-alive load, recorded by JFR: where the IO thread's time goes (only when named)
#   blocking    ours with an app that blocks 10 ms: on the IO thread, 64 threads, virtual threads (only when named)
#   versus      ours from BASELINE_JAR against ours from this build, alternating: req/s, CPU and heap allocated per
#               request, and this build's ratio (only when named)
#
# Environment (defaults in brackets):
#   DURATION [4s]   length of one measured wrk run        WARMUP [3s]   warm-up per scenario and server
#   ROUNDS [7]      measured runs per server and scenario STARTS [3]    cold starts per server
#   IDLE_CONNECTIONS [5000]                                SERVER_CPU [0] / CLIENT_CPU [1]
#   JVM_FLAGS [-Xms256m -Xmx256m -XX:+UseSerialGC]         flags of both servers in the comparisons
#   LARGE_JVM_FLAGS [-Xms64m -Xmx64m -XX:+UseSerialGC]     flags of our server for the large bodies
#   BUILD [auto]    "never" to use the jar as it is
#   STATSD_PAIRS [12], STATSD_DURATION [2s]                the statsd part: rounds, and one run's length
#   STATSD_CLOSE []  "close" for the statsd part with Connection: close (a new connection per request)
#   LOOPS [half the cores]  the multi part: event loops per server, and cores for the servers (0 to LOOPS-1)
#   JAVA25_HOME []  the footprint part's JDK 25 (unset: the first JDK 25 with jlink under /usr/lib/jvm,
#                   /usr/local/lib/jvm, /opt/java or /opt)
#   LEAN_MODULES [java.base,java.logging,java.security.sasl,jdk.unsupported]   the lean runtime's modules
#   LEAN_FLAGS [-XX:+UseSerialGC -Xms8m -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseCompactObjectHeaders]
#                   the lean launch's flags, used to train its AOT cache too
#   PROFILE_DURATION [15s]  the profile part's recorded wrk run
#   PROFILE_HOST []  the profile part's Host header (unset: wrk's, 127.0.0.1:PORT)
#   BASELINE_JAR []  the versus part's baseline: the bench jar of an earlier commit (in a checkout of it:
#                   mvn -q -pl bench -am package -DskipTests, then copy bench/target/bjoern-bench.jar away)
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-4s}
WARMUP=${WARMUP:-3s}
ROUNDS=${ROUNDS:-7}
STARTS=${STARTS:-3}
IDLE_CONNECTIONS=${IDLE_CONNECTIONS:-5000}
SERVER_CPU=${SERVER_CPU:-0}
CLIENT_CPU=${CLIENT_CPU:-1}
JVM_FLAGS=${JVM_FLAGS:--Xms256m -Xmx256m -XX:+UseSerialGC}
LARGE_JVM_FLAGS=${LARGE_JVM_FLAGS:--Xms64m -Xmx64m -XX:+UseSerialGC}
BUILD=${BUILD:-auto}
STATSD_PAIRS=${STATSD_PAIRS:-12}
STATSD_DURATION=${STATSD_DURATION:-2s}
STATSD_CLOSE=${STATSD_CLOSE:-}
LOOPS=${LOOPS:-$(($(nproc) / 2))}
WRK_THREADS=1
LEAN_MODULES=${LEAN_MODULES:-java.base,java.logging,java.security.sasl,jdk.unsupported}
LEAN_FLAGS=${LEAN_FLAGS:--XX:+UseSerialGC -Xms8m -Xmx64m -XX:TieredStopAtLevel=1 -XX:+UseCompactObjectHeaders}
PROFILE_DURATION=${PROFILE_DURATION:-15s}
PROFILE_HOST=${PROFILE_HOST:-}
JAR=bench/target/bjoern-bench.jar
MAIN=dev.bjoern.bench.BenchServer
# scenario label | connections | path | "close" to send Connection: close
SCENARIOS=(
    "keep-alive, 1 connection|1|/|"
    "keep-alive, 16 connections|16|/|"
    "keep-alive, 64 connections|64|/|"
    "keep-alive, 256 connections|256|/|"
    "Connection: close, 16 connections|16|/|close"
    "64 KiB body, keep-alive, 16 connections|16|/64k|"
)
MULTI_SCENARIOS=(
    "keep-alive, 512 connections|512|/|"
    "64 KiB body, keep-alive, 512 connections|512|/64k|"
)
# The servers the throughput and multi parts compare, ours first: BenchServer's mode and the name in the tables.
KINDS=(bjoern raw netty jetty)
declare -A NAME=([bjoern]=ours [raw]=raw [netty]=netty [jetty]=jetty)

die() { echo "run.sh: $*" >&2; exit 1; }

parts=("$@")
(( ${#parts[@]} > 0 )) || parts=(throughput multi startup idle large)
for part in "${parts[@]}"; do
    case $part in
        throughput | multi | startup | idle | large | statsd | footprint | profile | blocking | versus) ;;
        *) die "unknown part \"$part\"; expected throughput, multi, startup, idle, large, statsd, footprint, profile, blocking or versus" ;;
    esac
done
# The multi part needs cores for LOOPS server loops and for wrk; where there are too few it says so in one line
# instead. Asked for alone, it says so before building or measuring anything.
multi_skipped() {
    (( $(nproc) >= 4 && LOOPS >= 1 && LOOPS < $(nproc) )) && return 1
    echo "Multi-loop part skipped: it needs at least 4 cores and 1 <= LOOPS < cores (LOOPS cores for the" \
        "servers, the rest for wrk); this machine has $(nproc) cores and LOOPS is $LOOPS."
}
if [[ ${parts[*]} =~ ^(multi ?)+$ ]] && multi_skipped; then
    exit 0
fi

for tool in java jcmd jstat wrk curl taskset awk; do
    command -v "$tool" >/dev/null || die "$tool is needed (Debian: wrk, curl, util-linux, procps, a JDK 17+)"
done
(( $(nproc) >= 2 )) || echo "run.sh: warning: fewer than 2 cores; server and client will compete" >&2

if [[ $BUILD != never ]] && { [[ ! -f $JAR ]] || [[ -n $(find pom.xml ./*/pom.xml ./*/src \
        -type f -newer "$JAR" -print -quit) ]]; }; then
    echo "building $JAR ..." >&2
    mvn -q -pl bench -am package -DskipTests
fi

# 5,000 idle connections need that many descriptors in the server and in the client.
need_fds=$((IDLE_CONNECTIONS + 1024))
if [[ $(ulimit -n) != unlimited ]] && (( $(ulimit -n) < need_fds )); then
    ulimit -n "$need_fds" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi

TMP=$(mktemp -d)
PIDS=()
cleanup() {
    local pid
    for pid in "${PIDS[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "${PIDS[@]}"; do
        wait "$pid" 2>/dev/null || true
    done
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# stop PID: ends one process this script started (SIGTERM) and forgets it, so that cleanup never signals a reused
# PID. Sets STOP_RC to its exit status.
stop() {
    local pid kept=()
    kill "$1" 2>/dev/null || true
    STOP_RC=0
    wait "$1" 2>/dev/null || STOP_RC=$?
    for pid in "${PIDS[@]}"; do
        [[ $pid == "$1" ]] || kept+=("$pid")
    done
    PIDS=("${kept[@]}")
}

# start_server KIND FLAGS [ARG...]: starts a server pinned to SERVER_CPU on a free port, waits until "/" answers
# 200. Sets SERVER_PID, SERVER_PORT and STARTUP_MS (process start to the first 200, as seen by curl).
start_server() {
    local kind=$1 flags=$2 out="$TMP/$1.$RANDOM" t0
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # the flags are words
    taskset -c "$SERVER_CPU" java $flags -cp "${SERVER_JAR:-$JAR}" "$MAIN" "$kind" 0 "${@:3}" >"$out.out" 2>"$out.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    await_serving "the $kind server" "$out" "$t0" listening_port
}

# await_serving WHAT OUT T0 PORT_OF: waits, 60 s at most, until "PORT_OF OUT" prints SERVER_PID's port and "/"
# answers 200 there; dies naming WHAT if it exits first. Sets SERVER_PORT, and STARTUP_MS from T0 (date +%s%N).
await_serving() {
    local what=$1 out=$2 t0=$3 port_of=$4 t1 deadline=$((SECONDS + 60))
    SERVER_PORT=
    until [[ -n $SERVER_PORT ]]; do
        kill -0 "$SERVER_PID" 2>/dev/null || die "$what exited: $(cat "$out.err")"
        (( SECONDS < deadline )) || die "$what did not print its port within 60 s"
        sleep 0.002
        SERVER_PORT=$("$port_of" "$out")
    done
    until [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$SERVER_PORT/") == 200 ]]; do
        (( SECONDS < deadline )) || die "$what did not answer 200 within 60 s"
        sleep 0.002
    done
    t1=$(date +%s%N)
    STARTUP_MS=$(( (t1 - t0) / 1000000 ))
}

# The port a bench server prints on stdout ("listening PORT"), and the one in the command line's serving line.
listening_port() { awk '$1 == "listening" { print $2; exit }' "$1.out"; }
serving_port() { sed -n 's|^bjoern: serving .* on http://127\.0\.0\.1:\([0-9]*\)/$|\1|p' "$1.err"; }

rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }

# Live heap in bytes: the class histogram runs a full GC first and counts what survives. Saved to $2.
live_heap() {
    jcmd "$1" GC.class_histogram >"$2"
    awk '$1 == "Total" { print $3 }' "$2"
}

median() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# cpu_ticks PID: CPU time the process has used, all threads (dead ones too), in clock ticks.
cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
TICK_US=$((1000000 / $(getconf CLK_TCK)))

# run_wrk PID PORT PATH CONNECTIONS CLOSE DURATION: sets RPS, P99 (ms), CPU_US (server CPU per request, all
# its threads, in microseconds), REQUESTS (responses wrk received) and ERRORS.
run_wrk() {
    local pid=$1 args=(-t"$WRK_THREADS" -c"$4" -d"$6" --latency) out ticks requests
    [[ $5 == close ]] && args+=(-H 'Connection: close')
    ticks=$(cpu_ticks "$pid")
    out=$(taskset -c "$CLIENT_CPU" wrk "${args[@]}" "http://127.0.0.1:$2$3")
    ticks=$(( $(cpu_ticks "$pid") - ticks ))
    RPS=$(awk '$1 == "Requests/sec:" { print $2 }' <<<"$out")
    requests=$(awk '$2 == "requests" && $3 == "in" { print $1 }' <<<"$out")
    P99=$(awk '$1 == "99%" { v = $2
        if (v ~ /us$/) v = substr(v, 1, length(v) - 2) / 1000
        else if (v ~ /ms$/) v = substr(v, 1, length(v) - 2) + 0
        else if (v ~ /m$/) v = substr(v, 1, length(v) - 1) * 60000
        else if (v ~ /s$/) v = substr(v, 1, length(v) - 1) * 1000
        printf "%.3f", v }' <<<"$out")
    ERRORS=$(grep -E 'Socket errors|Non-2xx' <<<"$out" | tr -s ' ' | paste -sd ';' || true)
    [[ -n $RPS && -n $P99 && -n $requests ]] || die "could not read wrk's output: $out"
    CPU_US=$(awk -v t="$ticks" -v us="$TICK_US" -v n="$requests" 'BEGIN { printf "%.2f", (n > 0 ? t * us / n : 0) }')
    REQUESTS=$requests
}

# same_responses PATH PORT...: the servers of KINDS, on these ports in that order, all send 200 and our body for
# PATH; prints the body size and each one's header size (headers may differ).
same_responses() {
    local path=$1 ports=("${@:2}") i got name sizes
    for i in "${!KINDS[@]}"; do
        name=${NAME[${KINDS[i]}]}
        got=$(curl -s -o "$TMP/$i.body" -w '%{http_code} %{size_header}' "http://127.0.0.1:${ports[i]}$path")
        [[ ${got% *} == 200 ]] || die "$name answers $path with status ${got% *}, not 200"
        (( i == 0 )) || cmp -s "$TMP/0.body" "$TMP/$i.body" ||
            die "$name answers $path with another body than ours ($(stat -c %s "$TMP/$i.body") bytes, ours $(stat -c %s "$TMP/0.body"))"
        sizes+="${sizes:+, }$name ${got#* }"
    done
    echo "$path: $(stat -c %s "$TMP/0.body") body bytes from all ${#KINDS[@]}; header bytes $sizes"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "n/a" }'; }

# busy_cores: how busy each core is over one second, before anything of ours runs: a quiet machine shows ~0%.
busy_cores() {
    local a b
    a=$(awk '$1 ~ /^cpu[0-9]+$/ { print $1, $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    sleep 1
    b=$(awk '$1 ~ /^cpu[0-9]+$/ { print $1, $2 + $3 + $4 + $7 + $8, $5 + $6 }' /proc/stat)
    paste -d ' ' <(echo "$a") <(echo "$b") |
        awk '{ busy = $5 - $2; all = busy + $6 - $3; printf "%s%s %.0f%%", sep, $1, all ? 100 * busy / all : 0; sep = ", " }'
}

header() {
    echo "## Run of $(date -u '+%Y-%m-%d %H:%M UTC')"
    echo
    echo "- CPU: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo), $(nproc) cores;" \
        "servers on core $SERVER_CPU, clients on core $CLIENT_CPU; busy before the run (others' load): $(busy_cores)"
    echo "- kernel $(uname -r); $(java -version 2>&1 | head -1); $(wrk -v 2>&1 | head -1 | awk '{ print $1, $2 }')"
    echo "- server JVM flags (all): \`$JVM_FLAGS\`; large bodies: \`$LARGE_JVM_FLAGS\`"
    echo "- wrk, $DURATION per run, $WARMUP warm-up per scenario and server, $ROUNDS runs per server" \
        "interleaved (each round runs every server, the order rotating by one per round); each cell is the" \
        "median of its runs; CPU is the server process's (all threads) per request, and in brackets the share" \
        "of one core it used"
    echo
}

# compare TITLE SCENARIOS [SERVER_ARG...]: every server of KINDS, started with the same flags and arguments
# and pinned to SERVER_CPU, side by side; per scenario (the array named SCENARIOS) one warm-up run each, then
# ROUNDS rounds that run every server once, the order rotating by one per round so that each server takes
# each place equally often. Prints requests/s with our ratio to each peer, then p99 and CPU per request.
compare() {
    local title=$1 scenario label conns path close kind i r n=${#KINDS[@]} ports=() notes=() checks=() rows=()
    local -n scenarios=$2
    local -A pid port rps p99 cpu
    for kind in "${KINDS[@]}"; do
        start_server "$kind" "$JVM_FLAGS" "${@:3}"; pid[$kind]=$SERVER_PID; port[$kind]=$SERVER_PORT
        ports+=("$SERVER_PORT")
    done
    checks[0]=$(same_responses / "${ports[@]}") || exit 1
    checks[1]=$(same_responses /64k "${ports[@]}") || exit 1
    echo "### $title"
    echo
    echo "| scenario | ours req/s | raw req/s | netty req/s | jetty req/s | ours/raw | ours/netty | ours/jetty |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for scenario in "${scenarios[@]}"; do
        IFS='|' read -r label conns path close <<<"$scenario"
        for kind in "${KINDS[@]}"; do
            run_wrk "${pid[$kind]}" "${port[$kind]}" "$path" "$conns" "$close" "$WARMUP"
            rps[$kind]=; p99[$kind]=; cpu[$kind]=
        done
        for ((r = 0; r < ROUNDS; r++)); do
            for ((i = 0; i < n; i++)); do
                kind=${KINDS[(r + i) % n]}
                run_wrk "${pid[$kind]}" "${port[$kind]}" "$path" "$conns" "$close" "$DURATION"
                rps[$kind]+=" $RPS"; p99[$kind]+=" $P99"; cpu[$kind]+=" $CPU_US"
                [[ -z $ERRORS ]] || notes+=("$label, ${NAME[$kind]}: $ERRORS")
            done
        done
        # Medians, each column on its own; the words of each list are its runs.
        # shellcheck disable=SC2086
        for kind in "${KINDS[@]}"; do
            rps[$kind]=$(median ${rps[$kind]}); p99[$kind]=$(median ${p99[$kind]}); cpu[$kind]=$(median ${cpu[$kind]})
        done
        printf '| %s | %.0f | %.0f | %.0f | %.0f | %s | %s | %s |\n' "$label" \
            "${rps[bjoern]}" "${rps[raw]}" "${rps[netty]}" "${rps[jetty]}" "$(ratio "${rps[bjoern]}" "${rps[raw]}")" \
            "$(ratio "${rps[bjoern]}" "${rps[netty]}")" "$(ratio "${rps[bjoern]}" "${rps[jetty]}")"
        local row="| $label |"
        for kind in "${KINDS[@]}"; do
            row+=$(printf ' %.2f |' "${p99[$kind]}")
        done
        for kind in "${KINDS[@]}"; do
            row+=$(printf ' %.1f (%.0f%%) |' "${cpu[$kind]}" \
                "$(awk -v c="${cpu[$kind]}" -v q="${rps[$kind]}" 'BEGIN { print c * q / 1e4 }')")
        done
        rows+=("$row")
    done
    echo
    echo "| scenario | ours p99 ms | raw p99 ms | netty p99 ms | jetty p99 ms | ours CPU µs/req (core) |" \
        "raw CPU µs/req (core) | netty CPU µs/req (core) | jetty CPU µs/req (core) |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    printf '%s\n' "${rows[@]}"
    echo
    printf -- '- %s\n' "${checks[@]}"
    if (( ${#notes[@]} > 0 )); then
        printf -- '- wrk reported: %s\n' "${notes[@]}"
    fi
    echo
    for kind in "${KINDS[@]}"; do
        stop "${pid[$kind]}"
    done
}

throughput() {
    compare "Throughput and latency, one event loop each" SCENARIOS
}

# Every server with LOOPS event loops, pinned to cores 0 to LOOPS-1; wrk on the other cores, a thread each.
multi() {
    local cores SERVER_CPU CLIENT_CPU WRK_THREADS
    if multi_skipped; then
        echo
        return
    fi
    cores=$(nproc)
    SERVER_CPU=0-$((LOOPS - 1)); CLIENT_CPU=$LOOPS-$((cores - 1)); WRK_THREADS=$((cores - LOOPS))
    compare "Multiple loops: $LOOPS event loops each on cores $SERVER_CPU, wrk -t$WRK_THREADS on cores $CLIENT_CPU" \
        MULTI_SCENARIOS --workers "$LOOPS"
}

startup() {
    local i kind ours_ms=() raw_ms=() ours_rss=() raw_rss=()
    for ((i = 0; i < STARTS; i++)); do
        for kind in $( ((i % 2 == 0)) && echo "bjoern raw" || echo "raw bjoern"); do
            start_server "$kind" "$JVM_FLAGS"
            if [[ $kind == bjoern ]]; then
                ours_ms+=("$STARTUP_MS"); ours_rss+=("$(rss_kib "$SERVER_PID")")
            else
                raw_ms+=("$STARTUP_MS"); raw_rss+=("$(rss_kib "$SERVER_PID")")
            fi
            stop "$SERVER_PID"
        done
    done
    local om rm_ orr rr
    om=$(median "${ours_ms[@]}"); rm_=$(median "${raw_ms[@]}")
    orr=$(median "${ours_rss[@]}"); rr=$(median "${raw_rss[@]}")
    echo "### Startup and memory (median of $STARTS cold starts each)"
    echo
    echo "| measure | ours | raw | ratio |"
    echo "|---|---:|---:|---:|"
    printf '| JVM start to first 200, ms | %d | %d | %s |\n' "$om" "$rm_" "$(ratio "$om" "$rm_")"
    printf '| RSS after the first request, MiB | %.1f | %.1f | %s |\n' \
        "$(awk -v k="$orr" 'BEGIN { print k / 1024 }')" "$(awk -v k="$rr" 'BEGIN { print k / 1024 }')" \
        "$(ratio "$orr" "$rr")"
    echo
}

# idle_cost KIND: live heap and RSS per idle keep-alive connection; sets PER_CONN, RSS_PER_CONN; histograms in
# $TMP/KIND.before and $TMP/KIND.after.
idle_cost() {
    local kind=$1 before after rss_before rss_after client deadline=$((SECONDS + 180))
    start_server "$kind" "$JVM_FLAGS"
    # Warm it a little, so that what is measured is connections, not first-use class loading.
    run_wrk "$SERVER_PID" "$SERVER_PORT" / 16 "" 1s
    before=$(live_heap "$SERVER_PID" "$TMP/$kind.before"); rss_before=$(rss_kib "$SERVER_PID")
    taskset -c "$CLIENT_CPU" java -cp "$JAR" dev.bjoern.bench.IdleClient "$SERVER_PORT" "$IDLE_CONNECTIONS" \
        >"$TMP/$kind.idle" 2>&1 &
    client=$!
    PIDS+=("$client")
    until grep -q '^idle ' "$TMP/$kind.idle"; do
        kill -0 "$client" 2>/dev/null || die "the idle client failed against $kind: $(cat "$TMP/$kind.idle")"
        (( SECONDS < deadline )) || die "the idle client did not open $IDLE_CONNECTIONS connections within 180 s"
        sleep 0.1
    done
    after=$(live_heap "$SERVER_PID" "$TMP/$kind.after"); rss_after=$(rss_kib "$SERVER_PID")
    stop "$client"
    stop "$SERVER_PID"
    PER_CONN=$(( (after - before) / IDLE_CONNECTIONS ))
    RSS_PER_CONN=$(( (rss_after - rss_before) * 1024 / IDLE_CONNECTIONS ))
}

# Bytes per connection by class where ours and raw differ by 8 or more: "class ours raw", largest first.
class_deltas() {
    awk -v n="$IDLE_CONNECTIONS" '
        FNR == 1 { file++ }
        $1 ~ /^[0-9]+:$/ { bytes[file, $4] = $3; seen[$4] = 1 }
        END {
            for (c in seen) {
                o = (bytes[2, c] - bytes[1, c]) / n; r = (bytes[4, c] - bytes[3, c]) / n
                if (o - r >= 8 || r - o >= 8) printf "%s %.0f %.0f\n", c, o, r
            }
        }' "$TMP/bjoern.before" "$TMP/bjoern.after" "$TMP/raw.before" "$TMP/raw.after" |
        sort -k2,2nr -k3,3nr
}

idle() {
    local ours ours_rss raw raw_rss
    idle_cost bjoern; ours=$PER_CONN; ours_rss=$RSS_PER_CONN
    idle_cost raw; raw=$PER_CONN; raw_rss=$RSS_PER_CONN
    echo "### Idle keep-alive connections ($IDLE_CONNECTIONS open, one request each)"
    echo
    echo "| per connection | ours | raw | ratio |"
    echo "|---|---:|---:|---:|"
    printf '| live heap after a full GC, bytes | %d | %d | %s |\n' "$ours" "$raw" "$(ratio "$ours" "$raw")"
    printf '| RSS growth, bytes | %d | %d | %s |\n' "$ours_rss" "$raw_rss" "$(ratio "$ours_rss" "$raw_rss")"
    echo
    echo "Where the two differ, live heap per connection by class (bytes; every other class costs both the same):"
    echo
    echo "| class | ours | raw |"
    echo "|---|---:|---:|"
    class_deltas | awk '{ printf "| `%s` | %d | %d |\n", $1, $2, $3 }'
    echo
}

# large_body PID PORT PATH EXPECTED: one download, with the heap sampled every 10 ms while it runs.
large_body() {
    local pid=$1 port=$2 path=$3 expected=$4 before after sampler result
    before=$(live_heap "$pid" "$TMP/large.before")
    jstat -gc "$pid" 10 >"$TMP/jstat.out" 2>&1 &
    sampler=$!
    PIDS+=("$sampler")
    until [[ $(wc -l <"$TMP/jstat.out") -ge 2 ]]; do
        kill -0 "$sampler" 2>/dev/null || die "jstat failed: $(cat "$TMP/jstat.out")"
        sleep 0.01
    done
    result=$(taskset -c "$CLIENT_CPU" curl -s -o /dev/null -w '%{http_code} %{size_download} %{time_total}' \
        "http://127.0.0.1:$port$path" || true)
    sleep 0.05
    stop "$sampler"
    after=$(live_heap "$pid" "$TMP/large.after")
    local code size secs
    read -r code size secs <<<"$result"
    # jstat -gc reports KiB; heap in use = both survivors + eden + old.
    local peak
    peak=$(awk 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
        $1 ~ /^[0-9.]+$/ { used = $col["S0U"] + $col["S1U"] + $col["EU"] + $col["OU"]
            if (used > max) max = used; if ($col["OU"] > old) old = $col["OU"] }
        END { printf "%.1f %.1f %d", max / 1024, old / 1024, NR - 1 }' "$TMP/jstat.out")
    local peak_used peak_old samples
    read -r peak_used peak_old samples <<<"$peak"
    printf '| `%s` | %d | %s | %s | %.1f | %.1f | %s (%d samples) | %s | %.1f |\n' "$path" "$expected" "${size:-0}" \
        "$([[ $code == 200 && $size == "$expected" ]] && echo yes || echo "NO ($code)")" "${secs:-0}" \
        "$(awk -v b="$before" 'BEGIN { print b / 1048576 }')" "$peak_used" "$samples" "$peak_old" \
        "$(awk -v b="$after" 'BEGIN { print b / 1048576 }')"
}

large() {
    start_server bjoern "$LARGE_JVM_FLAGS"
    # The first /file request creates the sparse 1 GiB file and fills the page cache with it (seconds):
    # one unmeasured download, so that the measured one shows the server, not the first read of the disk.
    taskset -c "$CLIENT_CPU" curl -s -o /dev/null "http://127.0.0.1:$SERVER_PORT/file"
    echo "### Large bodies, our server under \`$LARGE_JVM_FLAGS\`"
    echo
    echo "| path | expected bytes | received | complete | seconds | live heap before, MiB |" \
        "peak heap used, MiB | peak old gen, MiB | live heap after, MiB |"
    echo "|---|---:|---:|---|---:|---:|---:|---:|---:|"
    large_body "$SERVER_PID" "$SERVER_PORT" /file $((1 << 30))
    large_body "$SERVER_PID" "$SERVER_PORT" /lazy $((300 << 20))
    echo
    echo "\`/file\` is a sparse 1 GiB file sent through \`wsgi.file_wrapper\`; \`/lazy\` is 300 MiB produced by an"
    echo "iterator, a new 64 KiB array per chunk. Peaks are sampled with \`jstat -gc\` every 10 ms during the download."
    echo
    stop "$SERVER_PID"
}

# What sending statsd costs: our server without statsd, the same with statsd (to a UDP sink on the client core),
# and raw Undertow, in short alternating runs at 16 keep-alive connections; each round runs all three, in an
# order that rotates. Afterwards the sink's totals are set against the responses wrk received.
statsd() {
    local sink sink_port off_pid off_port on_pid on_port raw_pid raw_port r kind deadline=$((SECONDS + 60))
    local off=() on=() raw=() ratios=() on_requests=1 order off_cpu=() on_cpu=() raw_cpu=()
    taskset -c "$CLIENT_CPU" java -cp "$JAR" dev.bjoern.bench.UdpSink >"$TMP/sink.out" 2>&1 &
    sink=$!
    PIDS+=("$sink")
    sink_port=
    until [[ -n $sink_port ]]; do
        kill -0 "$sink" 2>/dev/null || die "the UDP sink failed: $(cat "$TMP/sink.out")"
        (( SECONDS < deadline )) || die "the UDP sink did not print its port within 60 s"
        sleep 0.01
        sink_port=$(awk '$1 == "listening" { print $2; exit }' "$TMP/sink.out")
    done
    start_server bjoern "$JVM_FLAGS"; off_pid=$SERVER_PID; off_port=$SERVER_PORT
    start_server bjoern "$JVM_FLAGS" --statsd "{\"enable\": true, \"port\": $sink_port, \"ns\": \"bjoern\"}"
    on_pid=$SERVER_PID; on_port=$SERVER_PORT
    start_server raw "$JVM_FLAGS"; raw_pid=$SERVER_PID; raw_port=$SERVER_PORT
    run_wrk "$off_pid" "$off_port" / 16 "" "$WARMUP"
    run_wrk "$on_pid" "$on_port" / 16 "" "$WARMUP"; on_requests=$((on_requests + REQUESTS))
    run_wrk "$raw_pid" "$raw_port" / 16 "" "$WARMUP"
    for ((r = 0; r < STATSD_PAIRS; r++)); do
        case $((r % 3)) in
            0) order="off on raw" ;;
            1) order="on raw off" ;;
            *) order="raw off on" ;;
        esac
        # Swap the two of ours every other round too, so that each precedes the other as often.
        if ((r % 2 == 1)); then
            order=$(sed 's/off/X/; s/on/off/; s/X/on/' <<<"$order")
        fi
        for kind in $order; do
            case $kind in
                off) run_wrk "$off_pid" "$off_port" / 16 "$STATSD_CLOSE" "$STATSD_DURATION"; off+=("$RPS"); off_cpu+=("$CPU_US") ;;
                on) run_wrk "$on_pid" "$on_port" / 16 "$STATSD_CLOSE" "$STATSD_DURATION"; on+=("$RPS"); on_cpu+=("$CPU_US")
                    on_requests=$((on_requests + REQUESTS)) ;;
                raw) run_wrk "$raw_pid" "$raw_port" / 16 "$STATSD_CLOSE" "$STATSD_DURATION"; raw+=("$RPS"); raw_cpu+=("$CPU_US") ;;
            esac
        done
        ratios+=("$(awk -v a="${on[r]}" -v b="${off[r]}" 'BEGIN { printf "%.4f", a / b }')")
    done
    # SIGTERM: the statsd server's shutdown hook sends the last counts; then the sink prints its totals.
    stop "$on_pid"; stop "$off_pid"; stop "$raw_pid"; stop "$sink"
    local mo mn mr rmed rmin rmax done_total
    mo=$(median "${off[@]}"); mn=$(median "${on[@]}"); mr=$(median "${raw[@]}")
    rmed=$(median "${ratios[@]}")
    rmin=$(printf '%s\n' "${ratios[@]}" | sort -g | head -1); rmax=$(printf '%s\n' "${ratios[@]}" | sort -g | tail -1)
    done_total=$(awk '$1 == "bjoern.resp.done" { print $2 }' "$TMP/sink.out")
    echo "### Statsd on and off ($STATSD_PAIRS rounds of $STATSD_DURATION each," \
        "$([[ $STATSD_CLOSE == close ]] && echo "Connection: close" || echo keep-alive), 16 connections)"
    echo
    echo "| server | median req/s | median server CPU µs/req |"
    echo "|---|---:|---:|"
    printf '| ours, statsd off | %.0f | %.2f |\n' "$mo" "$(median "${off_cpu[@]}")"
    printf '| ours, statsd on (a UDP sink on the client core) | %.0f | %.2f |\n' "$mn" "$(median "${on_cpu[@]}")"
    printf '| raw Undertow | %.0f | %.2f |\n' "$mr" "$(median "${raw_cpu[@]}")"
    echo
    echo "- statsd on / off, per round: median $(awk -v r="$rmed" 'BEGIN { printf "%.3f", r }'), from" \
        "$(awk -v r="$rmin" 'BEGIN { printf "%.3f", r }') to $(awk -v r="$rmax" 'BEGIN { printf "%.3f", r }');" \
        "all: $(printf '%s ' "${ratios[@]}")"
    echo "- ours off / raw: $(ratio "$mo" "$mr")"
    echo "- responses wrk received from the statsd server: $on_requests; \`bjoern.resp.done\` the sink added up:" \
        "${done_total:-none} (the server also counts responses written after wrk stopped reading, up to 16 a run)"
    echo "- the sink received $(awk '$1 == "datagrams" { print $2 " datagrams, " $4 " lines" }' "$TMP/sink.out")"
    echo
}

# The footprint part: the command line (bjoern.jar) serving the bench's hello world on JDK 25, launched as is
# and lean: a jlink runtime of LEAN_MODULES, an AOT cache trained on the app, and LEAN_FLAGS. The runtime and
# the cache are made in bench/target/footprint, and reused while they are newer than the jars and the JDK and
# were made with the same JDK, modules and flags (the cache is valid for those only).
CLI_JAR=bjoern-undertow/target/bjoern.jar
FOOTPRINT=bench/target/footprint

java25_home() {
    local d dirs=(/usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/*)
    [[ -z ${JAVA25_HOME:-} ]] || dirs=("$JAVA25_HOME")
    for d in "${dirs[@]}"; do
        [[ -x $d/bin/jlink && -x $d/bin/java ]] && grep -q '^JAVA_VERSION="25' "$d/release" 2>/dev/null &&
            { echo "$d"; return; }
    done
    die "the footprint part needs a JDK 25 with jlink; set JAVA25_HOME to its folder (now \"${JAVA25_HOME:-}\")"
}

# start_cli JAVA FLAGS: the command line serving the bench's hello world on a free port, pinned to SERVER_CPU,
# until "/" answers 200. Sets SERVER_PID, SERVER_PORT and STARTUP_MS (exec to the first 200) as start_server.
start_cli() {
    local java=$1 flags=$2 out="$TMP/cli.$RANDOM" t0
    t0=$(date +%s%N)
    # shellcheck disable=SC2086 # the flags are words
    taskset -c "$SERVER_CPU" "$java" $flags -cp "$CLI_CP" dev.bjoern.undertow.Main -p 0 \
        dev.bjoern.bench.BenchServer:app >"$out.out" 2>"$out.err" &
    SERVER_PID=$!
    PIDS+=("$SERVER_PID")
    await_serving "the command line" "$out" "$t0" serving_port
    CLI_ERR=$out.err
}

# lean_runtime JDK: makes (or reuses) the jlink runtime and the AOT cache, trained by a run of the lean launch
# that serves a 200, a 400 and a second of wrk, then gets SIGTERM: the JVM writes the cache as it exits.
lean_runtime() {
    local jdk=$1 code
    if [[ -x $FOOTPRINT/runtime/bin/java && -f $FOOTPRINT/app.aot && $FOOTPRINT/app.aot -nt $CLI_JAR &&
            $FOOTPRINT/app.aot -nt $APP_JAR && $FOOTPRINT/app.aot -nt $jdk/release &&
            $(cat "$FOOTPRINT/made-with" 2>/dev/null) == "$jdk $LEAN_MODULES $LEAN_FLAGS" ]]; then
        return
    fi
    rm -rf "$FOOTPRINT"
    mkdir -p "$FOOTPRINT"
    echo "making the lean runtime and its AOT cache in $FOOTPRINT ..." >&2
    "$jdk/bin/jlink" --add-modules "$LEAN_MODULES" --strip-debug --no-man-pages --no-header-files \
        --compress zip-6 --output "$FOOTPRINT/runtime"
    start_cli "$FOOTPRINT/runtime/bin/java" "-XX:AOTCacheOutput=$FOOTPRINT/app.aot $LEAN_FLAGS"
    code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$SERVER_PORT/%zz")
    [[ $code == 400 ]] || die "the lean runtime answered a bad path with $code, not 400"
    taskset -c "$CLIENT_CPU" wrk -t1 -c16 -d1s "http://127.0.0.1:$SERVER_PORT/" >/dev/null
    stop "$SERVER_PID"
    [[ $STOP_RC == 0 && -f $FOOTPRINT/app.aot ]] ||
        die "the training run exited with $STOP_RC and wrote no AOT cache: $(cat "$CLI_ERR")"
    echo "$jdk $LEAN_MODULES $LEAN_FLAGS" >"$FOOTPRINT/made-with"
}

footprint() {
    local jdk i kind default_ms=() default_rss=() lean_ms=() lean_rss=() d_pid d_port l_pid l_port d_rps=() l_rps=()
    local lean_java default_java lean_flags
    jdk=$(java25_home)
    APP_JAR=$(find bench/target -maxdepth 1 -name 'bjoern-bench-[0-9]*.jar' ! -name '*-sources.jar' | head -1)
    [[ -f $CLI_JAR && -n $APP_JAR ]] || die "$CLI_JAR or the bench module's jar is missing; build with BUILD=auto"
    CLI_CP=$CLI_JAR:$APP_JAR
    lean_runtime "$jdk"
    default_java=$jdk/bin/java
    lean_java=$FOOTPRINT/runtime/bin/java
    lean_flags="-XX:AOTCache=$FOOTPRINT/app.aot $LEAN_FLAGS"
    for ((i = 0; i < STARTS; i++)); do
        for kind in $( ((i % 2 == 0)) && echo "default lean" || echo "lean default"); do
            if [[ $kind == default ]]; then
                start_cli "$default_java" ""
                default_ms+=("$STARTUP_MS"); default_rss+=("$(rss_kib "$SERVER_PID")")
            else
                start_cli "$lean_java" "$lean_flags"
                lean_ms+=("$STARTUP_MS"); lean_rss+=("$(rss_kib "$SERVER_PID")")
            fi
            stop "$SERVER_PID"
        done
    done
    # Throughput: both launches up at once, 3 rounds of 2 s each at 16 keep-alive connections, alternating.
    start_cli "$default_java" ""; d_pid=$SERVER_PID; d_port=$SERVER_PORT
    start_cli "$lean_java" "$lean_flags"; l_pid=$SERVER_PID; l_port=$SERVER_PORT
    run_wrk "$d_pid" "$d_port" / 16 "" 1s
    run_wrk "$l_pid" "$l_port" / 16 "" 1s
    for ((i = 0; i < 3; i++)); do
        for kind in $( ((i % 2 == 0)) && echo "default lean" || echo "lean default"); do
            if [[ $kind == default ]]; then
                run_wrk "$d_pid" "$d_port" / 16 "" 2s; d_rps+=("$RPS")
            else
                run_wrk "$l_pid" "$l_port" / 16 "" 2s; l_rps+=("$RPS")
            fi
        done
    done
    stop "$d_pid"; stop "$l_pid"
    local dr lr
    dr=$(median "${d_rps[@]}"); lr=$(median "${l_rps[@]}")
    echo "### Footprint: the command line on JDK 25, default and lean launch (median of $STARTS cold starts each)"
    echo
    echo "- default: \`java -cp bjoern.jar:app.jar dev.bjoern.undertow.Main\` on $("$default_java" -version 2>&1 | head -1)"
    echo "- lean: a jlink runtime of $LEAN_MODULES ($(du -sk "$FOOTPRINT/runtime" | cut -f1) KiB)," \
        "an AOT cache trained on the app ($(( $(stat -c %s "$FOOTPRINT/app.aot") / 1024 )) KiB), and \`$LEAN_FLAGS\`"
    printf -- '- throughput, keep-alive, 16 connections, median of 3 runs of 2 s: lean %.0f req/s, default %.0f req/s,' \
        "$lr" "$dr"
    echo " lean/default $(ratio "$lr" "$dr")"
    echo
    echo "footprint default startup_ms=$(median "${default_ms[@]}") rss_kib=$(median "${default_rss[@]}")"
    echo "footprint lean startup_ms=$(median "${lean_ms[@]}") rss_kib=$(median "${lean_rss[@]}")"
}

header
# The profile part: our server under keep-alive load at 64 connections, warmed up, then recorded by JFR with
# Java and native samples every millisecond, summed up by ProfileSummary (docs/benchmarks.md, "Profile").
profile() {
    local jfr=$TMP/profile.jfr args=(-t1 -c64 -d"$PROFILE_DURATION") rps
    [[ -z $PROFILE_HOST ]] || args+=(-H "Host: $PROFILE_HOST")
    start_server bjoern "$JVM_FLAGS"
    run_wrk "$SERVER_PID" "$SERVER_PORT" / 64 "" "$WARMUP"
    jcmd "$SERVER_PID" JFR.start name=bench settings=profile 'jdk.ExecutionSample#period=1ms' \
        'jdk.NativeMethodSample#period=1ms' >/dev/null
    rps=$(taskset -c "$CLIENT_CPU" wrk "${args[@]}" "http://127.0.0.1:$SERVER_PORT/" |
        awk '$1 == "Requests/sec:" { printf "%.0f", $2 }')
    jcmd "$SERVER_PID" JFR.stop name=bench filename="$jfr" >/dev/null
    stop "$SERVER_PID"
    echo "### Profile: ours, keep-alive, 64 connections, Host: ${PROFILE_HOST:-127.0.0.1:PORT}"
    echo
    echo "$PROFILE_DURATION recorded by JFR at $rps requests/s (the recording costs some), Java and native samples" \
        "of the IO thread every millisecond."
    echo
    java -cp "$JAR" dev.bjoern.bench.ProfileSummary "$jfr" "bjoern I/O"
    echo
}

# The blocking part: our server with an application that blocks 10 ms per request ("/sleep", as a database
# call would), wrk at 100 keep-alive connections: the application on the IO thread, on 64 threads, and on a
# virtual thread per request (JDK 21+; the java on the PATH decides). ROUNDS runs each, medians.
blocking() {
    local mode label args r rps p99 cpu jdk
    jdk=$(java -XshowSettings:properties -version 2>&1 | awk -F'= ' '$1 ~ /java.specification.version/ { print $2 }')
    echo "### A blocking application: 10 ms per request, 100 connections, JDK $jdk"
    echo
    echo "| the application runs | req/s | p99 ms | CPU µs/req (core) |"
    echo "|---|---:|---:|---:|"
    for mode in "on the IO thread (the default)|" "on 64 threads (\`--threads 64\`)|--threads 64" \
            "on a virtual thread per request (\`--threads virtual\`)|--threads virtual"; do
        IFS='|' read -r label args <<<"$mode"
        if [[ $args == *virtual* ]] && (( ${jdk%%.*} < 21 )); then
            echo "| $label | needs JDK 21; skipped on JDK $jdk | | |"
            continue
        fi
        # shellcheck disable=SC2086 # the arguments are words
        start_server bjoern "$JVM_FLAGS" $args
        run_wrk "$SERVER_PID" "$SERVER_PORT" /sleep 100 "" "$WARMUP"
        rps=; p99=; cpu=
        for ((r = 0; r < ROUNDS; r++)); do
            run_wrk "$SERVER_PID" "$SERVER_PORT" /sleep 100 "" "$DURATION"
            rps+=" $RPS"; p99+=" $P99"; cpu+=" $CPU_US"
        done
        stop "$SERVER_PID"
        # shellcheck disable=SC2086 # the words are the runs
        rps=$(median $rps); p99=$(median $p99); cpu=$(median $cpu)
        printf '| %s | %.0f | %.2f | %.1f (%.0f%%) |\n' "$label" "$rps" "$p99" "$cpu" \
            "$(awk -v c="$cpu" -v q="$rps" 'BEGIN { print c * q / 1e4 }')"
    done
    echo
}

# eden PID: the heap allocated so far, as jstat's eden accounting has it (a young collection empties eden): the
# young collections times eden's capacity, plus what eden holds now, in bytes. Needs a fixed heap (-Xms = -Xmx).
eden() { jstat -gc "$1" | awk 'NR == 2 { printf "%.0f %.0f %d\n", $5 * 1024, $6 * 1024, $13 }'; }
allocated() { awk -v ec="$1" -v e0="$2" -v y0="$3" -v e1="$5" -v y1="$6" 'BEGIN { printf "%.0f", (y1 - y0) * ec + e1 - e0 }'; }

versus() {
    [[ -f ${BASELINE_JAR:-} ]] || die "versus needs BASELINE_JAR, the bench jar of the commit to compare with"
    local scenario label conns path close r i which before after n=2 jars=("$BASELINE_JAR" "$JAR")
    local -a pid port rps cpu bytes
    echo "### Versus: this build against $(basename "$BASELINE_JAR"), ours alone, alternating"
    echo
    for i in 0 1; do
        SERVER_JAR=${jars[i]} start_server bjoern "$JVM_FLAGS"; pid[i]=$SERVER_PID; port[i]=$SERVER_PORT
    done
    echo "| scenario | baseline req/s | this req/s | this/baseline | baseline CPU µs/req | this CPU µs/req |" \
        "baseline B/req | this B/req |"
    echo "|---|---:|---:|---:|---:|---:|---:|---:|"
    for scenario in "${SCENARIOS[@]:1:4}"; do
        IFS='|' read -r label conns path close <<<"$scenario"
        rps=(); cpu=(); bytes=()
        for i in 0 1; do
            run_wrk "${pid[i]}" "${port[i]}" "$path" "$conns" "$close" "$WARMUP"
        done
        for ((r = 0; r < ROUNDS; r++)); do
            for ((which = 0; which < n; which++)); do
                i=$(( (r + which) % n ))
                before=$(eden "${pid[i]}")
                run_wrk "${pid[i]}" "${port[i]}" "$path" "$conns" "$close" "$DURATION"
                after=$(eden "${pid[i]}")
                # shellcheck disable=SC2086 # the words are eden's figures
                rps[i]+=" $RPS"; cpu[i]+=" $CPU_US"
                bytes[i]+=" $(( $(allocated $before $after) / REQUESTS ))"
            done
        done
        # shellcheck disable=SC2086 # the words are the runs
        for i in 0 1; do
            rps[i]=$(median ${rps[i]}); cpu[i]=$(median ${cpu[i]}); bytes[i]=$(median ${bytes[i]})
        done
        printf '| %s | %.0f | %.0f | %s | %.2f | %.2f | %s | %s |\n' "$label" "${rps[0]}" "${rps[1]}" \
            "$(ratio "${rps[1]}" "${rps[0]}")" "${cpu[0]}" "${cpu[1]}" "${bytes[0]}" "${bytes[1]}"
    done
    echo
    for i in 0 1; do
        stop "${pid[i]}"
    done
}

for part in "${parts[@]}"; do
    "$part"
done
