%% tcp_server.app -- the application resource file of the trapexit tutorial
%% "Building a Non-blocking TCP server using OTP principles", ported for
%% tcpsup's benchmark (bench/erlang/run.sh copies it next to the beams).
%% listen_port is read by tcp_server_app:start/2; run.sh sets it with
%% -tcp_server listen_port PORT.
{application, tcp_server,
 [
  {description, "Demo TCP server"},
  {vsn, "1.0"},
  {id, "tcp_server"},
  {modules,      [tcp_server_app, tcp_listener, tcp_echo_fsm]},
  {registered,   [tcp_server_app, tcp_server_sup, tcp_listener, tcp_client_sup]},
  {applications, [kernel, stdlib]},
  %%
  %% mod: Specify the module name to start the application, plus args
  %%
  {mod, {tcp_server_app, []}},
  {env, [{listen_port, 2222}]}
 ]
}.
