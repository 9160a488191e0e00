package ingest

import (
	"strings"

	"auditlens/backend/audit"
)

// Kubernetes API server audit events (audit.k8s.io v1 and v1beta1).
var kubernetes = register(&Format{
	Name:        "kubernetes.audit",
	Description: "Kubernetes API server audit events (audit.k8s.io/v1 and v1beta1)",
	Detect: func(f Fields) bool {
		if v, _ := f["apiVersion"].(string); strings.HasPrefix(v, "audit.k8s.io/") {
			return true
		}
		return isString(f, "verb") && has(f, "requestURI") && hasAny(f, "auditID", "stage")
	},
	Mapping: Mapping{
		Time:      Paths{"requestReceivedTimestamp", "timestamp", "stageTimestamp", "metadata.creationTimestamp"},
		ActorID:   Paths{"user.uid", "user.username"},
		ActorName: Paths{"user.username"},
		Action:    Paths{"objectRef.resource+objectRef.subresource+verb", "verb"},
		Targets:   []TargetSpec{{Each: "objectRef", Type: Paths{"resource"}, Name: Paths{"name", "namespace"}, ID: Paths{"uid"}}},
		IP:        Paths{"sourceIPs"},
		UserAgent: Paths{"userAgent"},
		Request:   Paths{"auditID"},
		Outcome: OutcomeSpec{Paths: Paths{"responseStatus.code", "responseStatus.status", "annotations.authorization.k8s.io/decision"},
			Success: []string{"Success", "allow"}, Failure: []string{"Failure", "forbid"}},
		Categories: []CategoryRule{
			{Match: `^(pods\.exec|pods\.attach|pods\.portforward|tokenreviews|subjectaccessreviews|selfsubject)`, Category: audit.CategoryAccess},
			{Match: `^(roles|rolebindings|clusterroles|clusterrolebindings|serviceaccounts|users|groups|certificatesigningrequests)\.`, Category: audit.CategoryUser},
			{Match: `^(secrets|mutatingwebhookconfigurations|validatingwebhookconfigurations)\.`, Category: audit.CategoryIntegration},
			{Match: `\.(get|list|watch)$`, Category: audit.CategoryData},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
	},
	Finish: func(f Fields, ev *audit.Event) {
		ns, name := str(get(f, parsePath("objectRef.namespace"))), str(get(f, parsePath("objectRef.name")))
		if name == "" { // a create: the object is named in what was sent or made
			name = firstSet(func(v string) bool { return v == "" },
				str(get(f, parsePath("responseObject.metadata.name"))), str(get(f, parsePath("requestObject.metadata.name"))))
			if name != "" && len(ev.Targets) == 1 {
				ev.Targets[0].Name = name
			}
		}
		if ns != "" && name != "" && len(ev.Targets) == 1 {
			ev.Targets[0].Name = ns + "/" + name
		}
		switch u := ev.Actor.Name; {
		case strings.HasPrefix(u, "system:serviceaccount:"):
			ev.Actor.Type = audit.ActorService
		case u == "system:anonymous":
			ev.Actor.Type = audit.ActorUser
		case strings.HasPrefix(u, "system:"):
			ev.Actor.Type = audit.ActorSystem
		}
		ev.Message = ev.Actor.Label() + " " + str(get(f, parsePath("verb"))) + " " + str(get(f, parsePath("requestURI")))
		if ev.Outcome == audit.OutcomeFailure {
			ev.Message += " (" + str(get(f, parsePath("responseStatus.code"))) + " " + str(get(f, parsePath("responseStatus.reason"))) + ")"
		}
	},
})
