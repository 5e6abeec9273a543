package portal

import (
	"encoding/json"
	"fmt"

	"github.com/gorilla/securecookie"
)

// sessionSerializer encodes the session cookie's values as JSON instead of
// gob. The cookie only ever holds the session token and one-time messages,
// all strings; gob built a new decoder per request, which cost more than
// the rest of a page's work outside the database.
type sessionSerializer struct{}

var _ securecookie.Serializer = sessionSerializer{}

// Serialize encodes a session's Values (string keys; string or list-of-
// string values).
func (sessionSerializer) Serialize(src any) ([]byte, error) {
	values, ok := src.(map[any]any)
	if !ok {
		return nil, fmt.Errorf("session serializer: unexpected %T", src)
	}
	out := make(map[string]any, len(values))
	for k, v := range values {
		key, ok := k.(string)
		if !ok {
			return nil, fmt.Errorf("session serializer: key %v is not a string", k)
		}
		switch v := v.(type) {
		case string:
			out[key] = v
		case []any:
			list := make([]string, 0, len(v))
			for _, item := range v {
				s, ok := item.(string)
				if !ok {
					return nil, fmt.Errorf("session serializer: %s holds a %T", key, item)
				}
				list = append(list, s)
			}
			out[key] = list
		default:
			return nil, fmt.Errorf("session serializer: %s holds a %T", key, v)
		}
	}
	return json.Marshal(out)
}

// Deserialize decodes into a session's Values.
func (sessionSerializer) Deserialize(src []byte, dst any) error {
	values, ok := dst.(*map[any]any)
	if !ok {
		return fmt.Errorf("session serializer: unexpected %T", dst)
	}
	var in map[string]json.RawMessage
	if err := json.Unmarshal(src, &in); err != nil {
		return err
	}
	for k, raw := range in {
		var s string
		if err := json.Unmarshal(raw, &s); err == nil {
			(*values)[k] = s
			continue
		}
		var list []string
		if err := json.Unmarshal(raw, &list); err != nil {
			return fmt.Errorf("session serializer: %s: %w", k, err)
		}
		items := make([]any, len(list))
		for i, s := range list {
			items[i] = s
		}
		(*values)[k] = items
	}
	return nil
}
