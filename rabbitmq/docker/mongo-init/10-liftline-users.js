// Run once by the mongo image when it initialises an empty data directory (as the root user it creates):
// the workers' user may read and write the rides database; the query API's user may only read it.
// Passwords come from the secrets `scripts/broker docker-secrets` writes; none is in this file or in compose.
const fs = require('fs');
const secret = name => fs.readFileSync('/run/secrets/' + name, 'utf8').trim();
const database = process.env.LIFTLINE_MONGODB_DATABASE || 'liftline';
const rides = db.getSiblingDB(database);
rides.createUser({user: 'liftline-consumer', pwd: secret('mongodb-consumer-password'),
  roles: [{role: 'readWrite', db: database}]});
rides.createUser({user: 'liftline-query', pwd: secret('mongodb-query-password'),
  roles: [{role: 'read', db: database}]});
