// The FlowerProto layer; see README "Architecture".
