%%% tcp_server_app -- the application and both supervisors of the trapexit
%%% tutorial "Building a Non-blocking TCP server using OTP principles"
%%% (Serge Aleynikov), ported for tcpsup's benchmark: scripts/bench runs it
%%% as the Erlang/OTP peer tcpsup is measured against.
%%%
%%% Root supervisor (registered tcp_server_app): one_for_one, 5 restarts in
%%% 60 s, children tcp_server_sup (the listener, permanent, shutdown 2000)
%%% and tcp_client_sup (simple_one_for_one of temporary tcp_echo_fsm
%%% workers, shutdown 2000). The port comes from the application
%%% environment (listen_port, default 2222), so the bench can pick a free
%%% one; tcp_listener also honours listen_ip.
-module(tcp_server_app).
-author('saleyn@gmail.com').

-behaviour(application).

%% Internal API
-export([start_client/0]).

%% Application and Supervisor callbacks
-export([start/2, stop/1, init/1]).

-define(MAX_RESTART,    5).
-define(MAX_TIME,      60).
-define(DEF_PORT,    2222).

%% A startup function for spawning new client connection handling FSM.
%% To be called by the TCP listener process.
start_client() ->
    supervisor:start_child(tcp_client_sup, []).

%%----------------------------------------------------------------------
%% Application behaviour callbacks
%%----------------------------------------------------------------------
start(_Type, _Args) ->
    ListenPort = get_app_env(listen_port, ?DEF_PORT),
    supervisor:start_link({local, ?MODULE}, ?MODULE, [ListenPort, tcp_echo_fsm]).

stop(_S) ->
    ok.

%%----------------------------------------------------------------------
%% Supervisor behaviour callbacks
%%----------------------------------------------------------------------
init([Port, Module]) ->
    {ok,
        {_SupFlags = {one_for_one, ?MAX_RESTART, ?MAX_TIME},
            [
              % TCP Listener
              {   tcp_server_sup,                          % Id       = internal id
                  {tcp_listener,start_link,[Port,Module]}, % StartFun = {M, F, A}
                  permanent,                               % Restart  = permanent | transient | temporary
                  2000,                                    % Shutdown = brutal_kill | int() >= 0 | infinity
                  worker,                                  % Type     = worker | supervisor
                  [tcp_listener]                           % Modules  = [Module] | dynamic
              },
              % Client instance supervisor
              {   tcp_client_sup,
                  {supervisor,start_link,[{local, tcp_client_sup}, ?MODULE, [Module]]},
                  permanent,                               % Restart  = permanent | transient | temporary
                  infinity,                                % Shutdown = brutal_kill | int() >= 0 | infinity
                  supervisor,                              % Type     = worker | supervisor
                  []                                       % Modules  = [Module] | dynamic
              }
            ]
        }
    };

init([Module]) ->
    {ok,
        {_SupFlags = {simple_one_for_one, ?MAX_RESTART, ?MAX_TIME},
            [
              % TCP Client
              {   undefined,                               % Id       = internal id
                  {Module,start_link,[]},                  % StartFun = {M, F, A}
                  temporary,                               % Restart  = permanent | transient | temporary
                  2000,                                    % Shutdown = brutal_kill | int() >= 0 | infinity
                  worker,                                  % Type     = worker | supervisor
                  []                                       % Modules  = [Module] | dynamic
              }
            ]
        }
    }.

%%----------------------------------------------------------------------
%% Internal functions
%%----------------------------------------------------------------------

%% The application environment first (-tcp_server listen_port 2223 on the
%% command line), then a plain command-line flag (-listen_port 2223).
get_app_env(Opt, Default) ->
    case application:get_env(tcp_server, Opt) of
    {ok, Val} -> Val;
    _ ->
        case init:get_argument(Opt) of
        {ok, [[Val | _]]} -> list_to_integer(Val);
        error             -> Default
        end
    end.
