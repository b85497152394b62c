// The SuperExec layer; see README "Architecture".
