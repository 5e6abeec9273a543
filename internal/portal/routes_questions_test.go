package portal_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"testing"
	"time"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/store"
)

// questionsRouteMatrix is the route × role matrix of supplier questions and their answers; TestRouteRoleMatrix merges
// it with the others.
var questionsRouteMatrix = map[string]routeExpectation{
	"GET /ondersteuning/vragen": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okPage(200, `[data-testid="questions-page"]`),
		request:  getReq("/ondersteuning/vragen"),
	},
	"POST /ondersteuning/vragen": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okRedirect("/ondersteuning/vragen/{id}"),
		request: func(t *testing.T, fx *matrixFixture, actor *account.User) routeCall {
			subject := fx.unique("matrixvraag")
			return routeCall{
				method: http.MethodPost, path: "/ondersteuning/vragen",
				form: url.Values{"subject": {subject}, "body": {"Een vraag uit de matrix."}},
				effect: func(t *testing.T, _ *http.Client) bool {
					qs, err := fx.env.App.Store.SupportQuestionsBySupplier(context.Background(), fx.env.Supplier.ID)
					if err != nil {
						t.Fatal(err)
					}
					for _, q := range qs {
						if q.Subject == subject {
							return true
						}
					}
					return false
				},
			}
		},
	},
	"GET /ondersteuning/vragen/{id}": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okPage(200, `[data-testid="question-page"]`),
		request: func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
			id := questionMatrixQuestion(t, fx)
			return routeCall{method: http.MethodGet, path: "/ondersteuning/vragen/" + strconv.FormatInt(id, 10), id: id}
		},
	},
	"POST /ondersteuning/vragen/{id}": {
		anonymous: mustLogin, admin: mustDeny, curator: mustDeny, support: mustDeny,
		supplier: okRedirect("/ondersteuning/vragen/{id}"),
		request: func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
			id := questionMatrixQuestion(t, fx)
			return routeCall{
				method: http.MethodPost, path: "/ondersteuning/vragen/" + strconv.FormatInt(id, 10), id: id,
				form:   url.Values{"body": {"Een aanvulling."}},
				effect: func(t *testing.T, _ *http.Client) bool { return questionMatrixMessages(t, fx, id) == 2 },
			}
		},
	},
	"GET /beheer/vragen": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin: okPage(200, `[data-testid="queue-page"]`), support: okPage(200, `[data-testid="queue-page"]`),
		request: getReq("/beheer/vragen"),
	},
	"GET /beheer/vragen/{id}": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin: okPage(200, `[data-testid="answer-submit"]`), support: okPage(200, `[data-testid="close-submit"]`),
		request: func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
			id := questionMatrixQuestion(t, fx)
			return routeCall{method: http.MethodGet, path: "/beheer/vragen/" + strconv.FormatInt(id, 10), id: id}
		},
	},
	"POST /beheer/vragen/{id}/antwoord": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin: okRedirect("/beheer/vragen/{id}"), support: okRedirect("/beheer/vragen/{id}"),
		request: func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
			id := questionMatrixQuestion(t, fx)
			return routeCall{
				method: http.MethodPost, path: "/beheer/vragen/" + strconv.FormatInt(id, 10) + "/antwoord", id: id,
				form:   url.Values{"body": {"Het antwoord."}},
				effect: func(t *testing.T, _ *http.Client) bool { return questionMatrixStatus(t, fx, id) == "answered" },
			}
		},
	},
	"POST /beheer/vragen/{id}/sluiten": {
		anonymous: mustLogin, curator: mustDeny, supplier: mustDeny,
		admin: okRedirect("/beheer/vragen/{id}"), support: okRedirect("/beheer/vragen/{id}"),
		request: func(t *testing.T, fx *matrixFixture, _ *account.User) routeCall {
			id := questionMatrixQuestion(t, fx)
			return routeCall{
				method: http.MethodPost, path: "/beheer/vragen/" + strconv.FormatInt(id, 10) + "/sluiten", id: id,
				form: url.Values{"reason": {"Dit zou beveiligingsdetails prijsgeven."}},
				effect: func(t *testing.T, _ *http.Client) bool {
					return questionMatrixStatus(t, fx, id) == "closed_not_answerable"
				},
			}
		},
	},
}

// questionMatrixQuestion asks a fresh question for env.Supplier.
func questionMatrixQuestion(t *testing.T, fx *matrixFixture) int64 {
	t.Helper()
	var id int64
	now := time.Now()
	err := fx.env.App.Store.InTx(context.Background(), func(tx *store.Store) error {
		var err error
		id, _, err = tx.SupportQuestionAsk(context.Background(), store.NewSupportQuestion{
			SupplierID: fx.env.Supplier.ID, AskedBy: fx.env.Users[account.RoleSupplier].ID,
			Subject: fx.unique("matrixvraag"), Body: "Vraag voor de matrix.", ReceivedAt: now, DueAt: now.Add(7 * 24 * time.Hour),
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func questionMatrixStatus(t *testing.T, fx *matrixFixture, id int64) string {
	t.Helper()
	q, err := fx.env.App.Store.SupportQuestionGet(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return q.Status
}

func questionMatrixMessages(t *testing.T, fx *matrixFixture, id int64) int {
	t.Helper()
	msgs, err := fx.env.App.Store.SupportMessages(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return len(msgs)
}
