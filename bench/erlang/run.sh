#!/bin/sh
# run.sh PORT [LOGFILE] -- compile the tutorial's tcp_server application and
# run it in the foreground on 127.0.0.1:PORT, as the tutorial does
# (erl -boot start_sasl, then application:start(tcp_server)), without a shell.
#
# The beams, the generated sys.config and (unless LOGFILE is given) the log
# go to a fresh mktemp directory, or to $TCP_SERVER_WORKDIR if set; its path
# is printed on stderr. Nothing is written under bench/. SASL is on and the
# log level is info, so progress, error and "Client ... disconnected." info
# reports are all written, in SASL's classic layout, to the log file rather
# than the terminal (under load they would flood it).
#
# Stop it with SIGTERM or SIGINT (OTP stops the application and exits).
# The exec'ed process is the Erlang VM itself, so its pid is this script's.
set -eu

usage() {
	echo "usage: run.sh PORT [LOGFILE]" >&2
	exit 64
}
[ $# -ge 1 ] && [ $# -le 2 ] || usage
port=$1
case $port in '' | *[!0-9]*) usage ;; esac

here=$(cd "$(dirname "$0")" && pwd)
work=${TCP_SERVER_WORKDIR:-$(mktemp -d "${TMPDIR:-/tmp}/tcp_server.XXXXXX")}
log=${2:-$work/tcp_server.log}
case $work$log in *'"'* | *'\'*) echo "run.sh: unusable path: $work $log" >&2; exit 64 ;; esac

command -v erlc >/dev/null 2>&1 || { echo "run.sh: erlc not found (apt-get install erlang-nox)" >&2; exit 69; }

mkdir -p "$work/ebin"
erlc +debug_info -o "$work/ebin" "$here"/tcp_server_app.erl "$here"/tcp_listener.erl "$here"/tcp_echo_fsm.erl
cp "$here/tcp_server.app" "$work/ebin/"

cat >"$work/sys.config" <<CONFIG
[{kernel, [{logger_level, info},
           {logger, [{handler, default, logger_std_h,
                      #{config => #{file => "$log"},
                        formatter => {logger_formatter,
                                      #{legacy_header => true,
                                        single_line => false}}}}]}]},
 {tcp_server, [{listen_port, $port}, {listen_ip, {127,0,0,1}}]}].
CONFIG

echo "run.sh: tcp_server on 127.0.0.1:$port, beams in $work/ebin, reports in $log" >&2
exec erl -noshell -boot start_sasl -pa "$work/ebin" -config "$work/sys" \
	-eval 'case application:start(tcp_server) of
	           ok -> ok;
	           {error, E} -> io:format(standard_error, "tcp_server: ~p~n", [E]),
	                         halt(69)
	       end'
