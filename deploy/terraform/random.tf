# Generated secrets. They are kept in the Terraform state (keep the state in
# an encrypted S3 bucket) and handed to the tasks through Secrets Manager.
# Everything else refers to them through these locals only.

resource "random_password" "secret_key" {
  length  = 64
  special = false
}

# Letters and digits only, so the password needs no escaping inside DATABASE_URL.
resource "random_password" "db" {
  length  = 40
  special = false
}

locals {
  secret_key_value = random_password.secret_key.result
  db_password      = random_password.db.result
}
