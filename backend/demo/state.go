package demo

// The state documents logged in "before" and "after": full snapshots of a
// resource, encoded with encoding/json in field order. Slices are always
// built non-nil so that they encode as [] rather than null.
//
// Invariant: a state changes only together with a record about its own
// resource (created/updated/...), so that updates chain. States never share
// slice backing arrays with each other (always clone when copying).

// entity is what every logged resource has: its type and id as written in
// "resource", and snap, the JSON of its state as last logged (the "before"
// of its next change).
type entity struct {
	typ, id string
	snap    []byte
}

type userState struct {
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	Role     string   `json:"role"`
	MFA      bool     `json:"mfa"`
	Phone    string   `json:"phone"`
	Language string   `json:"language"`
	Timezone string   `json:"timezone"`
	Notify   []string `json:"notificationChannels"`
}

type teamState struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Visibility  string   `json:"visibility"`
	Members     []string `json:"members"`
}

type layer struct {
	Name        string   `json:"name"`
	Rotation    string   `json:"rotation"`
	HandoffTime string   `json:"handoffTime"`
	Users       []string `json:"users"`
}

type scheduleState struct {
	Name     string  `json:"name"`
	Timezone string  `json:"timezone"`
	Team     string  `json:"team"`
	Layers   []layer `json:"layers"`
}

type rule struct {
	EscalationTimeout int      `json:"escalationTimeout"`
	Users             []string `json:"users"`
	Schedules         []string `json:"schedules"`
}

type policyState struct {
	Name   string `json:"name"`
	Repeat int    `json:"repeat"`
	Rules  []rule `json:"rules"`
}

type sourceState struct {
	Name             string `json:"name"`
	IntegrationType  string `json:"integrationType"`
	EscalationPolicy string `json:"escalationPolicy"`
	AlertPriority    string `json:"alertPriority"`
	Active           bool   `json:"active"`
}

type serviceState struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Status      string   `json:"status"`
	Teams       []string `json:"teams"`
}

type statusPageState struct {
	Name         string   `json:"name"`
	Domain       string   `json:"domain"`
	Visibility   string   `json:"visibility"`
	Services     []string `json:"services"`
	Announcement string   `json:"announcement"`
}

type webhookState struct {
	Name      string   `json:"name"`
	URL       string   `json:"url"`
	Events    []string `json:"events"`
	Enabled   bool     `json:"enabled"`
	SecretSet bool     `json:"secretSet"`
}

type apiKeyState struct {
	Label     string   `json:"label"`
	Scopes    []string `json:"scopes"`
	ExpiresAt string   `json:"expiresAt"`
	CreatedBy string   `json:"createdBy"`
}

type alertState struct {
	Summary          string `json:"summary"`
	Priority         string `json:"priority"`
	Status           string `json:"status"`
	AlertSource      string `json:"alertSource"`
	EscalationPolicy string `json:"escalationPolicy"`
	EscalationLevel  int    `json:"escalationLevel"`
	AssignedTo       string `json:"assignedTo"`
	Comments         int    `json:"comments"`
	LastComment      string `json:"lastComment"`
}
