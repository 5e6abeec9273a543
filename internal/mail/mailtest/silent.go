package mailtest

import (
	"net"
	"sync"
	"testing"
)

// NewSilentListener starts a raw TCP listener on 127.0.0.1:0 that accepts
// connections and never says anything, not even the SMTP greeting. It
// stands in for a hung relay, to test that a client honours its deadline.
// Listener and connections are closed at t.Cleanup.
func NewSilentListener(t testing.TB) (host string, port int) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("mailtest: listen: %v", err)
	}
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return // listener closed
			}
			// Keep the connection open, unread, until cleanup.
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	a := ln.Addr().(*net.TCPAddr)
	return a.IP.String(), a.Port
}
