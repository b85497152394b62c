// The SuperLink layer; see README "Architecture".
