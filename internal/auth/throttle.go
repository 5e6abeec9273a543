package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/wujw/ohis/internal/store"
)

// Throttling policy. Failures are counted in the database, per account (as
// typed, whether or not it exists) and per client address, so several
// portal instances share one view and nothing reveals whether an address is
// registered.
const (
	throttleWindow    = 15 * time.Minute
	slowAfter         = 3  // account failures before each attempt is slowed
	blockAfterAccount = 6  // account failures that block the account for a while
	blockAfterIP      = 30 // failures from one address that block that address
	blockFor          = 15 * time.Minute
	maxSlowdown       = 4 * time.Second
)

// ThrottledError says that logging in is blocked until a moment.
type ThrottledError struct{ Until time.Time }

func (e *ThrottledError) Error() string {
	return fmt.Sprintf("login blocked until %s", e.Until.Format(time.RFC3339))
}

// Minutes is how many whole minutes (at least 1) remain, for the Dutch
// message.
func (e *ThrottledError) Minutes(now time.Time) int {
	m := int(e.Until.Sub(now).Round(time.Minute) / time.Minute)
	if m < 1 {
		m = 1
	}
	return m
}

// throttleDecision is what to do with a login attempt before checking the
// password.
type throttleDecision struct {
	delay   time.Duration
	blocked *ThrottledError
}

func decideThrottle(c store.LoginFailureCounts, now time.Time) throttleDecision {
	if c.Email >= blockAfterAccount {
		if until := c.EmailLast.Add(blockFor); until.After(now) {
			return throttleDecision{blocked: &ThrottledError{Until: until}}
		}
	}
	if c.IP >= blockAfterIP {
		if until := c.IPLast.Add(blockFor); until.After(now) {
			return throttleDecision{blocked: &ThrottledError{Until: until}}
		}
	}
	var d throttleDecision
	if c.Email >= slowAfter {
		d.delay = time.Duration(c.Email-slowAfter+1) * time.Second
		if d.delay > maxSlowdown {
			d.delay = maxSlowdown
		}
	}
	return d
}

// sleepCtx waits d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
