"""Three example blueprints: incredible_squaring, wallet_coordination (tBTC RFC 12), oracle_watchtower (Rocket Pool)."""
