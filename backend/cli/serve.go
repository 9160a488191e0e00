package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/signal"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"auditlens/backend/audit"
	"auditlens/backend/httpapi"
	"auditlens/backend/service"
	"auditlens/frontend"
)

const defaultAddr = "127.0.0.1:7780"

func serveCmd(env Env, caseDir *string) *cobra.Command {
	var addr, token string
	cmd := &cobra.Command{
		Use:   "serve [--case DIR] [--addr 127.0.0.1:7780] [--token T]",
		Short: "Serve the UI and the API to a browser (loopback only unless a token is set)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd, env, caseDirOrDefault(*caseDir), addr, token)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", defaultAddr, "address to listen on; port 0 picks a free port")
	cmd.Flags().StringVar(&token, "token", "", "require this token (needed to listen beyond loopback; \"auto\" makes one)")
	return cmd
}

// minTokenLen is the shortest token serve takes: one anybody on the
// network may guess at is no lock.
const minTokenLen = 16

func serve(cmd *cobra.Command, env Env, dir, addr, token string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return audit.Errorf(audit.EINVALID, "--addr %q: %v", addr, err)
	}
	if token == "auto" {
		b := make([]byte, 16)
		rand.Read(b)
		token = hex.EncodeToString(b)
	}
	if token != "" && utf8.RuneCountInString(token) < minTokenLen {
		return audit.Errorf(audit.EINVALID, "--token must be at least %d characters, or auto (which makes one of 32)", minTokenLen)
	}
	if !isLoopback(host) && token == "" {
		return audit.Errorf(audit.EINVALID, "--addr %s listens beyond this machine: give --token (or --token auto) so only you can read the case", addr)
	}
	// The first page must not wait for an index being caught up or rebuilt.
	c, err := service.OpenServing(caseDirOrDefault(dir))
	if err != nil {
		return err
	}
	defer c.Close()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("cannot listen on %s: %v", addr, err)
	}
	url := "http://" + ln.Addr().String() + "/"
	if token != "" {
		url += "?token=" + neturl.QueryEscape(token)
	}
	fmt.Fprintf(env.Stdout, "auditlens serving case %s at %s\n", c.Dir, url)
	httpapi.Version = Version
	api := httpapi.New(c, frontend.Assets(), token)
	api.LocalPaths = isLoopback(host) // a server for others reads no paths of its machine
	srv := &http.Server{Handler: api, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return host == "localhost" || (ip != nil && ip.IsLoopback())
}
