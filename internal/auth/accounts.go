package auth

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/wujw/ohis/internal/account"
	"github.com/wujw/ohis/internal/audit"
	"github.com/wujw/ohis/internal/store"
)

// ErrEmailTaken is returned when creating a user whose address is in use.
var ErrEmailTaken = errors.New("e-mail address already in use")

// ErrSupplierRequired: a supplier user needs a supplier, staff must not have
// one.
var ErrSupplierRequired = errors.New("supplier users need a supplier, staff users none")

// ErrSelf is returned when an admin tries to deactivate or demote itself,
// which could leave nobody to undo it.
var ErrSelf = errors.New("cannot change own account this way")

// NewAccount describes a user an admin or operator creates. With Invite, no
// password is set and an invitation link is e-mailed.
type NewAccount struct {
	Email      string
	Name       string
	Role       account.Role
	SupplierID *int64
	Password   string
	Invite     bool
}

// CreateUser creates an account and, for an invitation, e-mails a link that
// is valid for seven days.
func (s *Service) CreateUser(ctx context.Context, actor audit.Actor, n NewAccount) (account.User, error) {
	return s.CreateUserTx(ctx, s.store, actor, n)
}

// CreateUserTx is CreateUser on the caller's transaction, for flows that
// create a user as part of a larger change (admitting a supplier).
func (s *Service) CreateUserTx(ctx context.Context, st *store.Store, actor audit.Actor, n NewAccount) (account.User, error) {
	email, err := account.NormalizeEmail(n.Email)
	if err != nil {
		return account.User{}, err
	}
	if !n.Role.Valid() {
		return account.User{}, fmt.Errorf("unknown role %q", n.Role)
	}
	if (n.Role == account.RoleSupplier) != (n.SupplierID != nil) {
		return account.User{}, ErrSupplierRequired
	}
	var hash string
	if !n.Invite {
		if err := CheckPasswordPolicy(n.Password, email); err != nil {
			return account.User{}, err
		}
		if hash, err = HashPassword(n.Password); err != nil {
			return account.User{}, err
		}
	}
	var u account.User
	err = st.InTx(ctx, func(tx *store.Store) error {
		if n.SupplierID != nil {
			if _, err := tx.SupplierGet(ctx, *n.SupplierID); err != nil {
				return err
			}
		}
		var err error
		u, err = tx.UserCreate(ctx, store.NewUser{Email: email, Name: strings.TrimSpace(n.Name), Role: n.Role, SupplierID: n.SupplierID, PasswordHash: hash})
		if errors.Is(err, store.ErrConflict) {
			return ErrEmailTaken
		}
		if err != nil {
			return err
		}
		action := audit.UserCreated
		if n.Invite {
			action = audit.UserInvited
			if err := s.sendInvite(ctx, tx, u, actor); err != nil {
				return err
			}
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: action, SubjectType: "user", SubjectID: fmt.Sprint(u.ID),
			SupplierID: u.SupplierID, Detail: map[string]string{"email": u.Email, "role": string(u.Role)}})
	})
	return u, err
}

func (s *Service) sendInvite(ctx context.Context, tx *store.Store, u account.User, actor audit.Actor) error {
	token, hash := NewToken()
	if err := tx.UserTokenRevokeForUser(ctx, u.ID, "invite"); err != nil {
		return err
	}
	if err := tx.UserTokenCreate(ctx, hash, u.ID, "invite", s.opts.Now().Add(InviteLinkTTL)); err != nil {
		return err
	}
	link := s.link("/uitnodiging/" + token)
	body := fmt.Sprintf(`Beste %s,

U bent uitgenodigd voor het portaal van Winst uit je woning (OHIS) als %s.
Kies via deze link uw wachtwoord; de link is 7 dagen geldig en werkt één keer:

%s

Verwachtte u deze uitnodiging niet? Dan kunt u dit bericht negeren.

Met vriendelijke groet,
Winst uit je woning`, u.DisplayName(), strings.ToLower(u.Role.Label()), link)
	return s.mailer.Enqueue(ctx, tx, u.Email, "Uitnodiging voor het portaal van Winst uit je woning", body)
}

// ErrAlreadyActivated is returned when re-inviting a user who has already
// chosen a password (a reset link is what that user needs).
var ErrAlreadyActivated = errors.New("user already chose a password")

// Reinvite sends a fresh invitation link to a user who has not chosen a
// password yet; older links stop working.
func (s *Service) Reinvite(ctx context.Context, actor audit.Actor, userID int64) error {
	return s.store.InTx(ctx, func(tx *store.Store) error {
		u, err := tx.UserGet(ctx, userID)
		if err != nil {
			return err
		}
		if u.PasswordSet {
			return ErrAlreadyActivated
		}
		if !u.Active {
			return ErrTokenInvalid
		}
		if err := s.sendInvite(ctx, tx, u, actor); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.UserInvited, SubjectType: "user", SubjectID: fmt.Sprint(u.ID), SupplierID: u.SupplierID})
	})
}

// InviteUser returns the user a valid invitation link belongs to.
func (s *Service) InviteUser(ctx context.Context, token string) (account.User, error) {
	return s.tokenUser(ctx, token, "invite")
}

// ResetUser returns the user a valid reset link belongs to.
func (s *Service) ResetUser(ctx context.Context, token string) (account.User, error) {
	return s.tokenUser(ctx, token, "reset")
}

func (s *Service) tokenUser(ctx context.Context, token, purpose string) (account.User, error) {
	id, err := s.store.UserTokenValid(ctx, HashToken(token), purpose)
	if errors.Is(err, store.ErrNotFound) {
		return account.User{}, ErrTokenInvalid
	}
	if err != nil {
		return account.User{}, err
	}
	u, err := s.store.UserGet(ctx, id)
	if err != nil {
		return account.User{}, err
	}
	if !u.Active {
		return account.User{}, ErrTokenInvalid
	}
	return u, nil
}

// AcceptInvite sets the invited user's first password; the link is then used
// up.
func (s *Service) AcceptInvite(ctx context.Context, token, password, ip string) (account.User, error) {
	return s.usePasswordToken(ctx, token, "invite", password, ip, audit.UserInviteAccepted)
}

// ResetPassword sets a new password through a reset link, which is then used
// up, and ends every session of the user.
func (s *Service) ResetPassword(ctx context.Context, token, password, ip string) (account.User, error) {
	return s.usePasswordToken(ctx, token, "reset", password, ip, audit.PasswordReset)
}

func (s *Service) usePasswordToken(ctx context.Context, token, purpose, password, ip string, action audit.Action) (account.User, error) {
	u, err := s.tokenUser(ctx, token, purpose)
	if err != nil {
		return account.User{}, err
	}
	if err := CheckPasswordPolicy(password, u.Email); err != nil {
		return account.User{}, err
	}
	hash, err := HashPassword(password)
	if err != nil {
		return account.User{}, err
	}
	err = s.store.InTx(ctx, func(tx *store.Store) error {
		id, err := tx.UserTokenConsume(ctx, HashToken(token), purpose)
		if errors.Is(err, store.ErrNotFound) {
			return ErrTokenInvalid // used concurrently
		}
		if err != nil {
			return err
		}
		if err := tx.UserSetPassword(ctx, id, hash); err != nil {
			return err
		}
		if _, err := tx.SessionDeleteForUser(ctx, id); err != nil {
			return err
		}
		if err := tx.LoginFailureClearEmail(ctx, u.Email); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: audit.Actor{UserID: &u.ID, Email: u.Email, IP: ip}, Action: action,
			SubjectType: "user", SubjectID: fmt.Sprint(u.ID), SupplierID: u.SupplierID})
	})
	return u, err
}

// RequestReset e-mails a reset link when the address belongs to an active
// user. It answers the same whether or not it does, so the form reveals
// nothing; the audit log records the request either way.
func (s *Service) RequestReset(ctx context.Context, emailTyped, ip string) error {
	email, err := account.NormalizeEmail(emailTyped)
	if err != nil {
		return err
	}
	u, err := s.store.UserCredentialsByEmail(ctx, email)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !u.Active) {
		return s.store.AuditAdd(ctx, audit.Entry{Actor: audit.Actor{Email: email, IP: ip}, Action: audit.PasswordResetAsked,
			Detail: map[string]string{"result": "no active account"}})
	}
	if err != nil {
		return err
	}
	return s.store.InTx(ctx, func(tx *store.Store) error {
		token, hash := NewToken()
		if err := tx.UserTokenRevokeForUser(ctx, u.ID, "reset"); err != nil {
			return err
		}
		if err := tx.UserTokenCreate(ctx, hash, u.ID, "reset", s.opts.Now().Add(ResetLinkTTL)); err != nil {
			return err
		}
		body := fmt.Sprintf(`Beste %s,

Er is gevraagd om uw wachtwoord voor het portaal van Winst uit je woning te herstellen.
Kies via deze link een nieuw wachtwoord; de link is 1 uur geldig en werkt één keer:

%s

Heeft u dit niet zelf gevraagd? Dan kunt u dit bericht negeren; uw wachtwoord blijft ongewijzigd.

Met vriendelijke groet,
Winst uit je woning`, u.DisplayName(), s.link("/wachtwoord-herstellen/"+token))
		if err := s.mailer.Enqueue(ctx, tx, u.Email, "Wachtwoord herstellen", body); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: audit.Actor{Email: email, IP: ip}, Action: audit.PasswordResetAsked,
			SubjectType: "user", SubjectID: fmt.Sprint(u.ID), SupplierID: u.SupplierID})
	})
}

// SetActive activates or deactivates a user. Deactivation ends the user's
// sessions in the same transaction, so an open browser is logged out on its
// next request.
func (s *Service) SetActive(ctx context.Context, actor audit.Actor, userID int64, active bool) (account.User, error) {
	if !active && actor.UserID != nil && *actor.UserID == userID {
		return account.User{}, ErrSelf
	}
	var u account.User
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		var err error
		if u, err = tx.UserSetActive(ctx, userID, active); err != nil {
			return err
		}
		action := audit.UserActivated
		if !active {
			action = audit.UserDeactivated
			if _, err := tx.SessionDeleteForUser(ctx, userID); err != nil {
				return err
			}
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: action, SubjectType: "user", SubjectID: fmt.Sprint(userID), SupplierID: u.SupplierID})
	})
	return u, err
}

// SetRole changes a user's role (and supplier, for supplier users). The
// user's sessions end, so the new rights apply from the next login.
func (s *Service) SetRole(ctx context.Context, actor audit.Actor, userID int64, role account.Role, supplierID *int64) (account.User, error) {
	if !role.Valid() {
		return account.User{}, fmt.Errorf("unknown role %q", role)
	}
	if (role == account.RoleSupplier) != (supplierID != nil) {
		return account.User{}, ErrSupplierRequired
	}
	if actor.UserID != nil && *actor.UserID == userID && role != account.RoleAdmin {
		return account.User{}, ErrSelf
	}
	var u account.User
	err := s.store.InTx(ctx, func(tx *store.Store) error {
		before, err := tx.UserGet(ctx, userID)
		if err != nil {
			return err
		}
		if before.Role == role && equalID(before.SupplierID, supplierID) {
			u = before // nothing changes, so nobody is logged out
			return nil
		}
		if u, err = tx.UserSetRole(ctx, userID, role, supplierID); err != nil {
			return err
		}
		if _, err := tx.SessionDeleteForUser(ctx, userID); err != nil {
			return err
		}
		return tx.AuditAdd(ctx, audit.Entry{Actor: actor, Action: audit.UserRoleChanged, SubjectType: "user", SubjectID: fmt.Sprint(userID),
			SupplierID: u.SupplierID, Detail: map[string]string{"from": string(before.Role), "to": string(role)}})
	})
	return u, err
}

func (s *Service) link(path string) string {
	u := *s.opts.BaseURL
	u.Path = strings.TrimSuffix(u.Path, "/") + path
	return u.String()
}

func equalID(a, b *int64) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
