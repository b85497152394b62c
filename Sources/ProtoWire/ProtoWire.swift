// The ProtoWire layer; see README "Architecture".
