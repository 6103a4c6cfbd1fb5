#!/usr/bin/env bats
# --format / -f: Go templates (lib/base/template.c) on inspect and ps, as
# docker prints them.

bats_require_minimum_version 1.5.0
load ../lib/engine

setup_file() { engine_setup_file; }
setup() { engine_setup; }
teardown() { engine_teardown; }

@test "inspect -f: range, index, json and if on a running and a stopped container" {
  run hd run -d --name up -e A=b -e C=d --label k=v bb sleep 100
  assert_status 0
  run hd create --name down -e A=b bb true
  assert_status 0
  path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

  run h inspect -f '{{.Config.Env}}' up down
  assert_status 0
  assert_eq "$output" "[A=b C=d PATH=$path]"$'\n'"[A=b PATH=$path]"
  run h inspect -f '{{json .Config.Env}}' up
  assert_eq "$output" "[\"A=b\",\"C=d\",\"PATH=$path\"]"
  run h inspect -f '{{range $i, $e := .Config.Env}}{{if $i}},{{end}}{{$e}}{{end}}' down
  assert_eq "$output" "A=b,PATH=$path"
  run h inspect -f '[{{index .Config.Labels "k"}}] [{{index .Config.Labels "absent"}}]' up down
  assert_status 0
  assert_eq "$output" $'[v] []\n[] []'
  run h inspect -f '{{json .Config.Labels}} {{len .Config.Labels}}' up
  assert_eq "$output" '{"k":"v"} 1'
  run h inspect -f '{{if .State.Running}}running {{.State.Pid}}{{else}}stopped {{.State.Pid}}{{end}}' up down
  assert_status 0
  [[ ${lines[0]} =~ ^running\ [1-9][0-9]*$ ]] || fail "running: ${lines[0]}"
  assert_eq "${lines[1]}" "stopped 0"
  # a stopped container has no port map: a missing key prints, never fails
  run h inspect -f '{{.Name}} {{.NetworkSettings.Ports.x.y}} {{upper .State.Status}}' down
  assert_status 0
  assert_eq "$output" "/down <no value> CREATED"
}

@test "ps --format table: an empty field keeps its column, headers are docker's" {
  run hd create --name one bb true
  assert_status 0
  run h ps -a --format 'table {{.Names}}\t{{.Ports}}\t{{.Status}}'
  assert_status 0
  assert_eq "${lines[0]}" "NAMES   PORTS   STATUS"
  assert_eq "${lines[1]}" "one             Created"
  run h ps -a --format '{{.Names}}:{{json .Ports}}:{{lower .State}}'
  assert_eq "$output" 'one:"":created'
}

@test "a bad template: one line, exit 1, for ps and inspect" {
  run hd create --name one bb true
  assert_status 0
  run h ps -a --format '{{.Names'
  assert_status 1
  assert_eq "${#lines[@]}" 1
  assert_contains "$output" "template parsing error: template: 1:"
  run h inspect -f '{{nosuchfunc .Id}}' one
  assert_status 1
  assert_eq "$output" 'hull: template parsing error: template: 1:2: function "nosuchfunc" not defined'
  run h inspect -f '{{range .Config.Env}}' one
  assert_status 1
  assert_eq "${#lines[@]}" 1
}
