package cli

import (
	"fmt"
	"io"
	"os"

	"github.com/mattn/go-isatty"
	"github.com/schollz/progressbar/v3"

	"auditlens/backend/service"
)

// progressPrinter shows a live counter on a terminal, and nothing when
// stderr is a file or a pipe (scripts read the summary instead).
func progressPrinter(w io.Writer) func(service.ImportProgress) {
	f, ok := w.(*os.File)
	if !ok || !isatty.IsTerminal(f.Fd()) {
		return nil
	}
	bar := progressbar.NewOptions64(-1,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowCount(),
		progressbar.OptionShowIts(),
		progressbar.OptionSetItsString("events"),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionSpinnerType(14),
	)
	return func(p service.ImportProgress) {
		bar.Describe(fmt.Sprintf("importing (%d duplicates, %d rejected)", p.Duplicates, p.Rejected))
		bar.Set64(int64(p.Events))
	}
}
