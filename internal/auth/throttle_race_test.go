package auth

import (
	"context"
	"errors"
	"sync"
	"testing"
)

// Parallel guesses cannot all pass the same failure count: of 20 wrong
// passwords sent at once, only the first six are checked; the rest are
// blocked, as they would be one after another.
func TestParallelGuessesAreThrottled(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	u := f.user(t, "parallel@test.example")
	var wg sync.WaitGroup
	start := make(chan struct{})
	var mu sync.Mutex
	results := map[string]int{}
	for range 20 {
		wg.Go(func() {
			<-start
			_, _, err := f.svc.Login(context.Background(), u.Email, "wrong-password-1", "192.0.2.7", "test")
			var throttled *ThrottledError
			kind := "other"
			switch {
			case errors.As(err, &throttled):
				kind = "blocked"
			case errors.Is(err, ErrInvalidCredentials):
				kind = "checked"
			}
			mu.Lock()
			results[kind]++
			mu.Unlock()
		})
	}
	close(start)
	wg.Wait()
	if results["checked"] != blockAfterAccount || results["blocked"] != 20-blockAfterAccount {
		t.Errorf("20 parallel guesses: %v, want %d checked and %d blocked", results, blockAfterAccount, 20-blockAfterAccount)
	}
}
