package collector

import (
	"fmt"
	"net/url"
	"strings"
)

// parseQuery reads the /probe query string. Unlike url.URL.Query, it reports
// a malformed percent-encoding instead of dropping the pair, which would
// otherwise surface as a misleading "empty target".
func parseQuery(raw string) (url.Values, error) {
	q, err := url.ParseQuery(raw)
	if err != nil {
		return nil, fmt.Errorf("malformed query string: %w", err)
	}
	return q, nil
}

// parseDebug reads the debug parameter: the values people type for yes and
// no. Anything else is an error rather than a silent "no", so a typo does
// not return metrics to someone who asked for the text.
func parseDebug(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "1", "true", "yes":
		return true, nil
	case "", "0", "false", "no":
		return false, nil
	}
	return false, fmt.Errorf("invalid debug value %q: use 1, true or yes (0, false, no or nothing for metrics)", v)
}
