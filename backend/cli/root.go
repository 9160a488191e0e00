// Package cli is the command line of auditlens (a contract: tests and
// scripts rely on it). Every command calls the service layer only.
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"auditlens/backend/audit"
	"auditlens/backend/service"
)

// Version is set at build time (-ldflags "-X auditlens/backend/cli.Version=…").
var Version = "dev"

// exitError carries an exit status with its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }

// Env is what the commands need from the outside world.
type Env struct {
	Stdout, Stderr io.Writer
	// Window runs the desktop window on a case; nil when the binary has
	// none (built without the desktop tag): then serve runs instead.
	Window func(caseDir string) error
	// Context, when set, ends long commands (serve, import, report,
	// export) when done, as SIGINT does; tests use it to stop a server.
	Context context.Context
}

// interruptible is the command's context, ended also by Ctrl-C (SIGINT)
// or SIGTERM: long commands stop at their next batch and tidy up (an
// import keeps what it stored, a report or export leaves no file).
func interruptible(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	return signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
}

// Run runs the command line and returns the process exit status.
func Run(args []string, env Env) int {
	root := newRoot(env)
	root.SetArgs(args)
	root.SetOut(env.Stdout)
	root.SetErr(env.Stderr)
	ctx := env.Context
	if ctx == nil {
		ctx = context.Background()
	}
	err := root.ExecuteContext(ctx)
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil && ee.err.Error() != "" {
			fmt.Fprintln(env.Stderr, "auditlens:", ee.err)
		}
		return ee.code
	}
	fmt.Fprintln(env.Stderr, "auditlens:", err)
	if audit.ErrorCode(err) == audit.EINVALID || wrongUse(err) {
		return 2
	}
	return 1
}

// wrongUse: cobra's own refusals of a command line (an unknown command,
// too many or too few arguments) are wrong uses, exit 2, as the flags'
// are. Cobra gives them no type of their own, only these words.
func wrongUse(err error) bool {
	msg := err.Error()
	return strings.HasPrefix(msg, "unknown command ") || strings.Contains(msg, " arg(s), ")
}

func newRoot(env Env) *cobra.Command {
	var caseDir string
	root := &cobra.Command{
		Use:   "auditlens",
		Short: "Open exported audit logs offline: search, timeline, diffs, reports",
		Long: `auditlens imports audit-log exports (CloudTrail, Okta, GitHub, Kubernetes, Entra ID,
Microsoft 365, Google, Slack, auditd, …) into a case folder and lets you search them,
offline. Without a command it opens the desktop window (or serves the UI when there is
no display).`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dir := caseDirOrDefault(caseDir)
			if env.Window != nil && hasDisplay() {
				return env.Window(dir)
			}
			return serve(cmd, env, dir, defaultAddr, "")
		},
	}
	root.PersistentFlags().StringVar(&caseDir, "case", "", "case folder (default: "+service.DefaultDir()+")")
	// A flag given wrong is a wrong use (exit 2, as other refusals), said
	// without Go's parsing internals ("strconv.ParseInt: parsing …").
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error {
		msg := err.Error()
		if i := strings.Index(msg, ": strconv."); i >= 0 {
			msg = msg[:i] + ": give a whole number"
		}
		return audit.Errorf(audit.EINVALID, "%s", msg)
	})
	root.AddCommand(
		importCmd(env, &caseDir),
		searchCmd(env, &caseDir),
		formatsCmd(env, &caseDir),
		demoCmd(env, &caseDir),
		reindexCmd(env, &caseDir),
		serveCmd(env, &caseDir),
		verifyCmd(env, &caseDir),
		logCmd(env, &caseDir),
		reportCmd(env, &caseDir),
		exportCmd(env, &caseDir),
	)
	return root
}

func caseDirOrDefault(dir string) string {
	if dir == "" {
		return service.DefaultDir()
	}
	return dir
}

// openCase opens the case of import and demo, making it if there is none.
func openCase(dir string) (*service.Case, error) {
	return service.Open(caseDirOrDefault(dir))
}

// openExistingCase opens the case of a command that reads one (search,
// verify, log, reindex): a --case mistyped must not make an empty case
// that then answers "0 events" or "all 0 sources intact".
func openExistingCase(dir string) (*service.Case, error) {
	if err := mustExist(caseDirOrDefault(dir)); err != nil {
		return nil, err
	}
	return openCase(dir)
}

// openCaseForStreaming opens the case of a report or export.
func openCaseForStreaming(dir string) (*service.Case, error) {
	if err := mustExist(caseDirOrDefault(dir)); err != nil {
		return nil, err
	}
	return service.OpenForStreaming(caseDirOrDefault(dir))
}

// mustExist says so when dir holds no case (no case.db).
func mustExist(dir string) error {
	if _, err := os.Stat(filepath.Join(dir, "case.db")); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return audit.Errorf(audit.EINVALID, "there is no case at %s (no case.db there): import into it, or check --case", dir)
		}
		return audit.Errorf(audit.EINVALID, "cannot read the case at %s: %v", dir, err)
	}
	return nil
}

func hasDisplay() bool {
	return os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != ""
}
