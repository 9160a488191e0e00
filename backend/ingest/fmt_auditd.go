package ingest

import (
	"strings"

	"auditlens/backend/audit"
	"auditlens/backend/ingest/auditd"
)

// auditdMapping reads the flat fields of one auditd event (see package
// auditd): raw audit.log and the records forwarders carry in syslog.
var auditdMapping = Mapping{
	Time:      Paths{"time", "TimeGenerated", "EventTime"},
	ActorID:   Paths{"auid"},
	ActorName: Paths{"AUID", "acct", "audit_user", "user", "UID"},
	Action:    Paths{"type"},
	Targets: []TargetSpec{
		{TypeIs: "account", Name: Paths{"acct"}},
		{TypeIs: "executable", Name: Paths{"exe"}},
		{TypeIs: "path", Name: Paths{"name"}},
		{TypeIs: "rule", Name: Paths{"key"}},
	},
	IP:      Paths{"addr", "hostname"},
	Session: Paths{"ses"},
	Request: Paths{"serial"},
	Outcome: OutcomeSpec{Paths: Paths{"res", "success", "result"},
		Success: []string{"success", "yes", "1"}, Failure: []string{"failed", "no", "0", "failure"}},
	Categories: []CategoryRule{
		{Match: `^(USER_LOGIN|USER_LOGOUT|USER_AUTH|USER_ACCT|USER_ERR|CRED_|USER_START|USER_END|LOGIN|ANOM_LOGIN|USER_ROLE_CHANGE|ANOM_AUTH)`, Category: audit.CategoryAccess},
		{Match: `^(ADD_USER|DEL_USER|ADD_GROUP|DEL_GROUP|USER_CHAUTHTOK|CHUSER_ID|CHGRP_ID|USER_MGMT|GRP_MGMT|ROLE_ASSIGN|ROLE_REMOVE|ACCT_LOCK|ACCT_UNLOCK|GRP_CHAUTHTOK)`, Category: audit.CategoryUser},
		{Match: `^(CONFIG_CHANGE|DAEMON_|SERVICE_|MAC_|SYSTEM_|KERNEL|USYS_CONFIG|NETFILTER_CFG|FEATURE_CHANGE|SOFTWARE_UPDATE)`, Category: audit.CategoryConfiguration},
		{Match: `^(PATH|OPEN|.*_READ)`, Category: audit.CategoryData},
	},
}

var linuxAuditd = register(&Format{
	Name:        "linux.auditd",
	Description: "Linux audit.log (raw and log_format=ENRICHED); records of one event joined by serial",
	Detect: func(f Fields) bool {
		return has(f, "serial") && has(f, "types")
	},
	Mapping: auditdMapping,
	Finish:  auditdFinish,
})

// Microsoft Sentinel Syslog rows whose message is an auditd/AUOMS record.
var sentinelSyslogAuditd = register(&Format{
	Name:        "sentinel.syslog.auditd",
	Description: "Sentinel Syslog table rows carrying auditd / AUOMS records in SyslogMessage",
	Detect: func(f Fields) bool {
		m, _ := f["SyslogMessage"].(string)
		return strings.HasPrefix(m, "type=") && strings.Contains(m, "audit(")
	},
	Prepare: func(f Fields) Fields {
		p, err := auditd.ParseLine(f["SyslogMessage"].(string))
		if err != nil {
			return f
		}
		for _, k := range []string{"TimeGenerated", "EventTime", "Computer", "HostIP"} {
			if v, ok := f[k]; ok {
				if _, dup := p[k]; !dup {
					p[k] = v
				}
			}
		}
		return p
	},
	Mapping: auditdMapping,
	Finish:  auditdFinish,
})

// auditdFinish resolves who acted: the login uid (auid) names the person
// behind an action even after sudo; when it is unset, the account acted
// upon (acct) or the process's user is the best there is, and an event with
// none of them is the system's own.
func auditdFinish(f Fields, ev *audit.Event) {
	unset := func(v string) bool { return v == "" || v == "4294967295" || v == "-1" || v == "unset" || v == "?" }
	auid := str(f["auid"])
	a := audit.Actor{}
	if !unset(auid) {
		a.ID = auid
		a.Name = firstSet(unset, str(f["AUID"]), str(f["audit_user"]))
	}
	if a.ID == "" {
		// No login uid: the account acted upon (a login attempt's acct), else
		// the process's own user.
		if acct := str(f["acct"]); !unset(acct) {
			a.Name = acct
		} else {
			a.Name = firstSet(unset, str(f["user"]), str(f["UID"]))
			if uid := str(f["uid"]); !unset(uid) {
				a.ID = "uid " + uid
				if uid == "0" && a.Name == "" {
					a.Name = "root" // uid 0 is root on every Linux system
				}
			}
		}
	}
	a.Type = audit.ActorUser
	if a.Name == "" && a.ID == "" {
		a.Name = firstSet(unset, str(f["comm"]), str(f["exe"]), "system")
		a.Type = audit.ActorSystem
	} else if a.Name == "" && strings.HasPrefix(a.ID, "uid ") {
		a.Type = audit.ActorSystem
	}
	ev.Actor = a
	if unset(ev.IP) {
		ev.IP = ""
	}
	if unset(ev.Session) {
		ev.Session = ""
	}
	parts := []string{ev.Actor.Label(), ev.Action}
	for _, k := range []string{"op", "syscall", "SYSCALL", "exe", "cmd", "proctitle", "cmdline", "acct"} {
		if v := str(f[k]); v != "" && !unset(v) {
			parts = append(parts, k+"="+clip(v, 120))
		}
	}
	if ev.Outcome == audit.OutcomeFailure {
		parts = append(parts, "(failed)")
	}
	ev.Message = strings.Join(parts, " ")
}

func firstSet(unset func(string) bool, vs ...string) string {
	for _, v := range vs {
		if !unset(v) {
			return v
		}
	}
	return ""
}
