//go:build tools

package tools

import (
	_ "github.com/docker/compose/v5/cmd"
)
