// Command auditlens opens exported audit logs offline. See README.md.
package main

import (
	"os"

	"auditlens/backend/cli"
)

func main() {
	os.Exit(cli.Run(os.Args[1:], cli.Env{Stdout: os.Stdout, Stderr: os.Stderr, Window: window}))
}
