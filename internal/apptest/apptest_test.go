package apptest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/apptest"
)

func TestEnvLogsInEveryRole(t *testing.T) {
	env := apptest.New(t)
	for _, role := range account.Roles {
		c := env.LoginRole(t, role)
		resp := env.Get(t, c, "/")
		body := apptest.Body(t, resp)
		if resp.StatusCode != http.StatusOK || !strings.Contains(body, role.Label()) {
			t.Errorf("%s: start page status %d, role label %q missing", role, resp.StatusCode, role.Label())
		}
	}
}
