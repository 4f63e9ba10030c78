/*
 * test_eterm.c -- the Erlang-term printer (src/tcpsupctl/eterm.c). Every
 * expected string here is what Erlang/OTP 25 printed for the same term
 * with erl -noshell -eval 'io:format("~p~n", [Term]), halt().' (the shell
 * printed the same for these), so tcpsupctl's output is the shell's byte
 * for byte; then reading terms back, term order, and JSON.
 */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eterm.h"

/* Read text as a term and pretty-print it; compare with what OTP printed. */
static void
assert_pretty(const char *text, const char *want)
{
	struct eterm *t = eterm_parse(text);
	char *got;

	cr_assert_not_null(t, "does not read: %s", text);
	got = eterm_pretty(t);
	cr_assert_str_eq(got, want, "%s\nprinted as\n%s\nOTP prints\n%s",
	    text, got, want);
	free(got);
	eterm_free(t);
}

static void
assert_json(const char *text, const char *want)
{
	struct eterm *t = eterm_parse(text);
	char *got;

	cr_assert_not_null(t, "does not read: %s", text);
	got = eterm_json(t);
	cr_assert_str_eq(got, want, "%s", text);
	free(got);
	eterm_free(t);
}

/* --- the supervisor calls' results, as OTP prints them ----------------- */

Test(eterm, root_which_children_breaks_at_81_columns)
{
	/* 81 characters: one too many for ~p's 80-column line. */
	assert_pretty("[{tcp_client_sup,4243,supervisor,[]},"
	    "{tcp_server_sup,4242,worker,[tcp_listener]}]",
	    "[{tcp_client_sup,4243,supervisor,[]},\n"
	    " {tcp_server_sup,4242,worker,[tcp_listener]}]");
	assert_pretty("[{tcp_client_sup,4243,supervisor,[]},"
	    "{tcp_server_sup,undefined,worker,[tcp_listener]}]",
	    "[{tcp_client_sup,4243,supervisor,[]},\n"
	    " {tcp_server_sup,undefined,worker,[tcp_listener]}]");
	assert_pretty("[{tcp_server_sup,restarting,worker,[tcp_listener]}]",
	    "[{tcp_server_sup,restarting,worker,[tcp_listener]}]");
}

Test(eterm, client_sup_which_children_one_worker)
{
	assert_pretty("[{undefined,123456,worker,[]}]",
	    "[{undefined,123456,worker,[]}]");
	assert_pretty("[]", "[]");
}

Test(eterm, client_sup_which_children_three_workers)
{
	assert_pretty("[{undefined,123456,worker,[]},"
	    "{undefined,123457,worker,[]},{undefined,123458,worker,[]}]",
	    "[{undefined,123456,worker,[]},\n"
	    " {undefined,123457,worker,[]},\n"
	    " {undefined,123458,worker,[]}]");
}

Test(eterm, client_sup_which_children_thirty_workers)
{
	static const char want[] =
	    "[{undefined,123456,worker,[]},\n"
	    " {undefined,123457,worker,[]},\n"
	    " {undefined,123458,worker,[]},\n"
	    " {undefined,123459,worker,[]},\n"
	    " {undefined,123460,worker,[]},\n"
	    " {undefined,123461,worker,[]},\n"
	    " {undefined,123462,worker,[]},\n"
	    " {undefined,123463,worker,[]},\n"
	    " {undefined,123464,worker,[]},\n"
	    " {undefined,123465,worker,[]},\n"
	    " {undefined,123466,worker,[]},\n"
	    " {undefined,123467,worker,[]},\n"
	    " {undefined,123468,worker,[]},\n"
	    " {undefined,123469,worker,[]},\n"
	    " {undefined,123470,worker,[]},\n"
	    " {undefined,123471,worker,[]},\n"
	    " {undefined,123472,worker,[]},\n"
	    " {undefined,123473,worker,[]},\n"
	    " {undefined,123474,worker,[]},\n"
	    " {undefined,123475,worker,[]},\n"
	    " {undefined,123476,worker,[]},\n"
	    " {undefined,123477,worker,[]},\n"
	    " {undefined,123478,worker,[]},\n"
	    " {undefined,123479,worker,[]},\n"
	    " {undefined,123480,worker,[]},\n"
	    " {undefined,123481,worker,[]},\n"
	    " {undefined,123482,worker,[]},\n"
	    " {undefined,123483,worker,[]},\n"
	    " {undefined,123484,worker,[]},\n"
	    " {undefined,123485,worker,[]}]";
	struct eterm *list = eterm_list(0);
	char *got;

	/* Built as print.c builds it, rather than read from text. */
	for (int pid = 123456; pid <= 123485; pid++)
		eterm_add(list, eterm_tuple(4, eterm_atom("undefined"),
		    eterm_integer(pid), eterm_atom("worker"), eterm_list(0)));
	got = eterm_pretty(list);
	cr_assert_str_eq(got, want);
	free(got);
	eterm_free(list);
}

Test(eterm, count_children)
{
	assert_pretty("[{specs,1},{active,1},{supervisors,0},{workers,1}]",
	    "[{specs,1},{active,1},{supervisors,0},{workers,1}]");
	assert_pretty("[{specs,2},{active,2},{supervisors,1},{workers,1}]",
	    "[{specs,2},{active,2},{supervisors,1},{workers,1}]");
}

Test(eterm, get_childspec_of_the_listener)
{
	assert_pretty("{ok,#{id => tcp_server_sup,modules => [tcp_listener],"
	    "restart => permanent,shutdown => 2000,significant => false,"
	    "start => {tcp_listener,start_link,[2222,tcp_echo_fsm]},"
	    "type => worker}}",
	    "{ok,#{id => tcp_server_sup,\n"
	    "      modules => [tcp_listener],\n"
	    "      restart => permanent,shutdown => 2000,"
	    "significant => false,\n"
	    "      start => {tcp_listener,start_link,[2222,tcp_echo_fsm]},\n"
	    "      type => worker}}");
}

Test(eterm, get_childspec_of_the_client_supervisor)
{
	assert_pretty("{ok,#{id => tcp_client_sup,modules => [],"
	    "restart => permanent,shutdown => infinity,significant => false,"
	    "start => {supervisor,start_link,[{local,tcp_client_sup},"
	    "tcp_server_app,[tcp_echo_fsm]]},type => supervisor}}",
	    "{ok,#{id => tcp_client_sup,modules => [],restart => permanent,\n"
	    "      shutdown => infinity,significant => false,\n"
	    "      start =>\n"
	    "          {supervisor,start_link,\n"
	    "                      [{local,tcp_client_sup},tcp_server_app,"
	    "[tcp_echo_fsm]]},\n"
	    "      type => supervisor}}");
}

Test(eterm, get_childspec_of_a_worker_template)
{
	assert_pretty("{ok,#{id => undefined,modules => [],"
	    "restart => temporary,shutdown => 2000,significant => false,"
	    "start => {tcp_echo_fsm,start_link,[]},type => worker}}",
	    "{ok,#{id => undefined,modules => [],restart => temporary,"
	    "shutdown => 2000,\n"
	    "      significant => false,\n"
	    "      start => {tcp_echo_fsm,start_link,[]},\n"
	    "      type => worker}}");
}

Test(eterm, get_childspec_with_strings_in_its_start)
{
	assert_pretty("{ok,#{id => tcp_exec,modules => [],"
	    "restart => temporary,shutdown => brutal_kill,"
	    "significant => false,start => {tcp_exec,start_link,"
	    "[\"/usr/local/bin/some-long-handler\",\"--flag\",\"value\"]},"
	    "type => worker}}",
	    "{ok,#{id => tcp_exec,modules => [],restart => temporary,\n"
	    "      shutdown => brutal_kill,significant => false,\n"
	    "      start =>\n"
	    "          {tcp_exec,start_link,\n"
	    "                    [\"/usr/local/bin/some-long-handler\","
	    "\"--flag\",\"value\"]},\n"
	    "      type => worker}}");
}

Test(eterm, short_results)
{
	assert_pretty("{error,not_found}", "{error,not_found}");
	assert_pretty("{error,simple_one_for_one}",
	    "{error,simple_one_for_one}");
	assert_pretty("{ok,4250}", "{ok,4250}");
	assert_pretty("ok", "ok");
	assert_pretty("{error,{shutdown,{failed_to_start_child,"
	    "tcp_server_sup,eaddrinuse}}}",
	    "{error,{shutdown,{failed_to_start_child,tcp_server_sup,"
	    "eaddrinuse}}}");
}

/* --- what OTP does with odder terms ---------------------------------- */

Test(eterm, atoms_are_quoted_as_otp_quotes_them)
{
	struct eterm *t = eterm_list(3, eterm_atom("a\001b\n\t\\'c"),
	    eterm_atom("maybe"), eterm_atom(""));
	char *got = eterm_pretty(t);

	cr_assert_str_eq(got, "['a\\001b\\n\\t\\\\\\'c',maybe,'']");
	free(got);
	eterm_free(t);
	assert_pretty("['Foo','tcp-sup','when',a@b,'',\"a\\\"b\\\\c\\n\",-42]",
	    "['Foo','tcp-sup','when',a@b,'',\"a\\\"b\\\\c\\n\",-42]");
}

Test(eterm, map_keys_in_term_order)
{
	/* Numbers, atoms, tuples (by size first), maps, then lists. */
	assert_pretty("#{b => 1,a => 2,3 => x,{z} => 1,[q] => 2,\"s\" => 3,"
	    "zz => 4,{a,b} => 1,#{} => 1,[] => 0}",
	    "#{3 => x,a => 2,b => 1,zz => 4,\n"
	    "  {z} => 1,\n"
	    "  {a,b} => 1,\n"
	    "  #{} => 1,[] => 0,\"s\" => 3,\n"
	    "  [q] => 2}");
	assert_pretty("#{workers => 30,supervisors => 0,active => 30,"
	    "specs => 1}",
	    "#{active => 30,specs => 1,supervisors => 0,workers => 30}");
}

Test(eterm, plain_elements_share_a_line_until_it_is_full)
{
	assert_pretty("[tcp_server_sup,tcp_client_sup,tcp_listener,"
	    "tcp_echo_fsm,start_link,permanent,worker,x]",
	    "[tcp_server_sup,tcp_client_sup,tcp_listener,tcp_echo_fsm,"
	    "start_link,permanent,\n"
	    " worker,x]");
	/* The last pair leaves room for the closing brace. */
	assert_pretty("#{a_rather_long_atom_name_here => ok,"
	    "start_link => \"abc\",tcp_listener => \"abc\",undefined => [],"
	    "worker => #{}}",
	    "#{a_rather_long_atom_name_here => ok,start_link => \"abc\",\n"
	    "  tcp_listener => \"abc\",undefined => [],worker => #{}}");
}

Test(eterm, deep_terms_fall_back_to_otps_indentation)
{
	/*
	 * Tagged tuples nested past half the line: OTP gives up indenting
	 * after the tag and indents by 4 (cind's fallback).
	 */
	assert_pretty("{a_rather_long_atom_name_here_really_long_one,"
	    "{a_rather_long_atom_name_here_really_long_one,[x,y,123456789],a,"
	    "#{k => [x,y,123456789]}},a,#{k => {a_rather_long_atom_name_here_"
	    "really_long_one,[x,y,123456789],a,#{k => [x,y,123456789]}}}}",
	    "{a_rather_long_atom_name_here_really_long_one,\n"
	    "    {a_rather_long_atom_name_here_really_long_one,\n"
	    "        [x,y,123456789],\n"
	    "        a,\n"
	    "        #{k => [x,y,123456789]}},\n"
	    "    a,\n"
	    "    #{k =>\n"
	    "          {a_rather_long_atom_name_here_really_long_one,\n"
	    "              [x,y,123456789],\n"
	    "              a,\n"
	    "              #{k => [x,y,123456789]}}}}");
}

/* --- reading ----------------------------------------------------------- */

Test(eterm, parse_kinds)
{
	struct eterm *t = eterm_parse("{tcp_listener,start_link,"
	    "[-2222,'Q x',\"s\",\"\",#{}]}");

	cr_assert_not_null(t);
	cr_assert_eq(t->kind, ETERM_TUPLE);
	cr_assert_eq(t->nitems, 3);
	cr_assert(eterm_is_atom(t->items[0], "tcp_listener"));
	cr_assert_eq(t->items[2]->kind, ETERM_LIST);
	cr_assert_eq(t->items[2]->nitems, 5);
	cr_assert_eq(t->items[2]->items[0]->integer, -2222);
	cr_assert(eterm_is_atom(t->items[2]->items[1], "Q x"));
	cr_assert_eq(t->items[2]->items[2]->kind, ETERM_STRING);
	cr_assert_str_eq(t->items[2]->items[2]->text, "s");
	/* "" is [], as in Erlang. */
	cr_assert_eq(t->items[2]->items[3]->kind, ETERM_LIST);
	cr_assert_eq(t->items[2]->items[3]->nitems, 0);
	cr_assert_eq(t->items[2]->items[4]->kind, ETERM_MAP);
	eterm_free(t);

	t = eterm_parse(" { a , [ 1 , 2 ] , #{ k => v } } ");
	cr_assert_not_null(t, "spaces between tokens");
	eterm_free(t);
}

Test(eterm, parse_refuses_what_is_not_one_term)
{
	static const char *const bad[] = {
		"", " ", "a b", "{a", "{a,}", "[,]", "[a|b]", "1.5", "-",
		"Var", "_", "'open", "\"open", "#{a}", "#{a => }", "{a}}",
		"<0.64.0>", "99999999999999999999", "'\\q'", "a\tb",
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		cr_assert_null(eterm_parse(bad[i]), "read: %s", bad[i]);
}

/* Nested as deep as a reply could make the reader recurse: bounded. */
static int
reads_nested(int depth)
{
	char text[512];
	struct eterm *t;
	int ok;

	memset(text, '[', (size_t)depth);
	memset(text + depth, ']', (size_t)depth);
	text[2 * depth] = '\0';
	t = eterm_parse(text);
	ok = t != NULL;
	eterm_free(t);
	return ok;
}

Test(eterm, parse_depth_is_bounded)
{
	cr_assert(reads_nested(64));
	cr_assert_not(reads_nested(65));
	cr_assert_not(reads_nested(200));
}

Test(eterm, term_order)
{
	struct eterm *one = eterm_integer(1), *a = eterm_atom("a");
	struct eterm *b = eterm_atom("b");
	struct eterm *t1 = eterm_tuple(1, eterm_atom("z"));
	struct eterm *t2 = eterm_tuple(2, eterm_atom("a"), eterm_atom("a"));
	struct eterm *nil = eterm_list(0), *s = eterm_string("ab");
	struct eterm *l = eterm_list(2, eterm_integer('a'), eterm_integer('b'));
	struct eterm *m = eterm_map();

	cr_assert_lt(eterm_compare(one, a), 0);
	cr_assert_lt(eterm_compare(a, b), 0);
	cr_assert_lt(eterm_compare(b, t1), 0);
	cr_assert_lt(eterm_compare(t1, t2), 0, "tuples by size first");
	cr_assert_lt(eterm_compare(t2, m), 0);
	cr_assert_lt(eterm_compare(m, nil), 0);
	cr_assert_lt(eterm_compare(nil, s), 0);
	cr_assert_eq(eterm_compare(s, l), 0, "\"ab\" is [97,98]");
	cr_assert_gt(eterm_compare(b, a), 0);
	for (struct eterm **p = (struct eterm *[]){ one, a, b, t1, t2, nil, s,
	    l, m, NULL }; *p != NULL; p++)
		eterm_free(*p);
}

/* --- JSON -------------------------------------------------------------- */

Test(eterm, json)
{
	assert_json("[{undefined,4242,worker,[]}]",
	    "[[null,4242,\"worker\",[]]]");
	assert_json("#{significant => false,ok => true,id => undefined}",
	    "{\"significant\":false,\"ok\":true,\"id\":null}");
	assert_json("{tcp_listener,start_link,[2222,tcp_echo_fsm]}",
	    "[\"tcp_listener\",\"start_link\",[2222,\"tcp_echo_fsm\"]]");
	assert_json("#{1 => a,{x,y} => b,\"s\" => c}",
	    "{\"1\":\"a\",\"{x,y}\":\"b\",\"s\":\"c\"}");
	assert_json("['a\"b\\\\c\\n',\"\\t\"]",
	    "[\"a\\\"b\\\\c\\u000a\",\"\\u0009\"]");
	assert_json("#{}", "{}");
}
