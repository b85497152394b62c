// The ObjectStore layer; see README "Architecture".
