package demo

// Fixed vocabularies the generator draws from: names, user agents, resource
// names and alert texts. Everything here is constant data; randomness lives
// in the generator.

// 40 first names x 41 last names: personName maps a user number to a unique
// pair for the first 1,640 users.
var firstNames = [...]string{
	"Alice", "Ben", "Clara", "David", "Elena", "Felix", "Greta", "Hannah", "Ivan", "Julia",
	"Karim", "Lena", "Marco", "Nina", "Oliver", "Paula", "Quentin", "Rosa", "Stefan", "Tara",
	"Umut", "Vera", "Wei", "Xenia", "Yusuf", "Zoe", "Anton", "Bianca", "Carlos", "Dana",
	"Emil", "Fatima", "Georg", "Hana", "Igor", "Jana", "Kai", "Lara", "Mila", "Niko",
}

var lastNames = [...]string{
	"Jones", "Schmidt", "Meyer", "Fischer", "Weber", "Wagner", "Becker", "Schulz", "Hoffmann", "Koch",
	"Richter", "Klein", "Wolf", "Neumann", "Schwarz", "Braun", "Zimmermann", "Krueger", "Hartmann", "Lange",
	"Werner", "Krause", "Lehmann", "Koehler", "Walter", "Peters", "Kaiser", "Fuchs", "Lang", "Vogel",
	"Jansen", "Novak", "Rossi", "Silva", "Kowalski", "Dubois", "Larsen", "Nguyen", "Haddad", "Okafor",
	"Smith",
}

// Desktop browsers: each user has one as their usual user agent.
var browserAgents = [...]string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
	"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0",
	"Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/125.0.0.0 Safari/537.36",
}

// The mobile app, used by on-call responders (mostly at night).
var mobileAgents = [...]string{
	"ilert/4.18.2 (iPhone; iOS 17.5.1; Scale/3.00)",
	"ilert/4.18.1 (Android 14; Pixel 8)",
}

// attackerAgent is the browser of the suspicious episodes (Tor Browser's UA).
const attackerAgent = "Mozilla/5.0 (Windows NT 10.0; rv:115.0) Gecko/20100101 Firefox/115.0"

var teamSeeds = []struct{ name, desc string }{
	{"Platform", "Kubernetes, networking and shared infrastructure"},
	{"Payments", "Checkout, payment gateway and billing"},
	{"Mobile", "iOS and Android apps and their backend"},
	{"Data", "Warehouse, pipelines and reporting"},
	{"Customer Support", "First-level support and customer communication"},
	{"Security", "Security operations and incident response"},
}

// Later teams, schedules, policies, services: created over the trail.
var extraTeams = []string{"Growth", "Infra", "QA", "Search"}
var extraSchedules = []string{"Security on-call", "Weekend rota", "Holiday cover", "DBA on-call"}
var extraPolicies = []string{"Security incidents", "Weekend coverage", "Infra escalation", "DBA escalation"}
var extraServices = []string{"Search API", "Notifications", "Billing Worker", "Identity Provider", "Image CDN"}

var serviceSeeds = []struct {
	name, desc string
	team       int
}{
	{"Checkout API", "Cart and checkout endpoints", 1},
	{"Payments Gateway", "PSP integration and payment processing", 1},
	{"Mobile Backend", "API for the iOS and Android apps", 2},
	{"Data Warehouse", "Nightly loads and BI dashboards", 3},
	{"Customer Portal", "customer.acme.io", 4},
	{"Auth Service", "Login, SSO and tokens", 0},
}

// Alert sources: name, integration type, index of the policy, priority.
var sourceSeeds = []struct {
	name, typ string
	policy    int
	prio      string
}{
	{"Prometheus prod", "PROMETHEUS", 0, "HIGH"},
	{"Alertmanager k8s", "PROMETHEUS", 0, "HIGH"},
	{"Datadog payments", "DATADOG", 1, "HIGH"},
	{"Sentry checkout", "SENTRY", 1, "LOW"},
	{"Crashlytics mobile", "FIREBASE", 2, "LOW"},
	{"Airflow DAG failures", "API", 3, "LOW"},
	{"Support mailbox", "EMAIL", 4, "LOW"},
	{"CloudWatch eu-central-1", "AMAZON_CLOUDWATCH", 0, "HIGH"},
	{"Uptime checks", "UPTIMEROBOT", 1, "HIGH"},
}

var extraSources = []struct{ name, typ string }{
	{"Prometheus staging", "PROMETHEUS"}, {"Grafana dashboards", "GRAFANA"},
	{"Datadog synthetics", "DATADOG"}, {"Pingdom EU", "PINGDOM"},
	{"Zabbix legacy", "ZABBIX"}, {"New Relic APM", "NEW_RELIC"},
}

var policyNames = []string{"Platform default", "Payments primary", "Mobile on-call", "Data pipeline", "Support business hours"}

var webhookSeeds = []struct{ name, url string }{
	{"Jira incident sync", "https://jira.acme.io/rest/ilert/1.0/hook"},
	{"Slack #incidents", "https://hooks.acme.io/slack/incidents"},
	{"Status automation", "https://hooks.acme.io/statuspage/update"},
}

var extraWebhooks = []struct{ name, url string }{
	{"Teams #ops", "https://hooks.acme.io/teams/ops"},
	{"Datalake export", "https://ingest.acme.io/ilert/events"},
	{"Incident bot", "https://bot.acme.io/ilert"},
	{"Postmortem tracker", "https://postmortems.acme.io/api/hooks/ilert"},
}

// The events a webhook can subscribe to.
var webhookEvents = []string{"alert.created", "alert.acknowledged", "alert.escalated", "alert.resolved", "alert.commented"}

// API keys created over the trail by administrators.
var extraKeys = []struct {
	label  string
	scopes []string
}{
	{"grafana-export", []string{"alerts:read"}},
	{"ci-maintenance-windows", []string{"services:write", "alerts:read"}},
	{"backstage-plugin", []string{"alerts:read", "schedules:read", "services:read"}},
	{"status-bot", []string{"status_pages:write"}},
	{"reporting-etl", []string{"alerts:read", "users:read"}},
}

// Alert texts per integration type; %s is a host or component.
var alertTexts = map[string][]string{
	"PROMETHEUS": {"HighCPUUsage: %s above 90%% for 10m", "KubePodCrashLooping: %s", "DiskWillFillIn4Hours: %s",
		"TargetDown: %s", "HighErrorRate: 5xx ratio above 2%% on %s"},
	"DATADOG":           {"[Triggered] p99 latency above 800ms on %s", "[Triggered] error budget burn rate high on %s", "[Triggered] queue depth above 10k on %s"},
	"SENTRY":            {"New issue in %s: TypeError: Cannot read properties of undefined", "Regression in %s: TimeoutError"},
	"FIREBASE":          {"Crash spike in %s 4.21.0", "ANR rate above threshold in %s"},
	"API":               {"DAG failed: %s", "Job exceeded SLA: %s"},
	"EMAIL":             {"Customer report: %s not reachable", "Fwd: payment failures reported on %s"},
	"AMAZON_CLOUDWATCH": {"ALARM: RDS CPUUtilization above 85%% (%s)", "ALARM: ELB 5XX count high (%s)"},
	"UPTIMEROBOT":       {"Monitor is DOWN: %s", "SSL certificate expires in 7 days: %s"},
	"GRAFANA":           {"[FIRING:1] disk usage on %s", "[FIRING:1] memory pressure on %s"},
	"PINGDOM":           {"DOWN: %s", "Slow response: %s"},
	"ZABBIX":            {"Zabbix agent on %s is unreachable", "Free disk space is less than 10%% on %s"},
	"NEW_RELIC":         {"Apdex below 0.8 on %s", "Error rate above 5%% on %s"},
}

var alertHosts = []string{"checkout-api-%d", "payments-gw-%d", "db-prod-%d", "k8s-node-%d", "search-%d", "auth-%d", "mobile-bff-%d", "etl-worker-%d"}

var alertComments = []string{
	"Looking into it", "Rolled back the last deploy", "Scaled up the deployment", "Known issue, see INC-%d",
	"Restarted the pod, watching", "Upstream provider incident", "False positive, tuning the threshold",
	"Disk cleaned up", "Jira ticket OPS-%d created", "Customer informed",
}

var announcements = []string{
	"Scheduled maintenance on Sunday 02:00-04:00 CET",
	"We are investigating elevated error rates in checkout",
	"Payments are delayed for some customers",
	"Degraded performance of the mobile app",
}

var serviceStatuses = []string{"DEGRADED", "PARTIAL_OUTAGE", "MAJOR_OUTAGE", "UNDER_MAINTENANCE"}

var escalationTimeouts = []int{5, 10, 15, 20, 30, 45, 60}
