// The LinkState layer; see README "Architecture".
