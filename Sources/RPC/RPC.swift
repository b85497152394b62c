// The RPC layer; see README "Architecture".
import CGRPC
