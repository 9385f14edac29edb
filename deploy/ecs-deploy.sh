#!/usr/bin/env bash
# Rolling deploy of one image to one ECS service (used by deploy/buildspec.yml;
# also the manual rollback tool, see deploy/README.md):
#   deploy/ecs-deploy.sh CLUSTER SERVICE IMAGE
# Copies the service's current task definition with the container image
# replaced, registers it as a new revision, points the service at it and waits
# until the rollout settles. The services run with the deployment circuit
# breaker (rollback on): if the new tasks never get healthy, ECS rolls back by
# itself and this script fails, because the service is not on the new revision.
# Needs: aws CLI v2, jq.
set -euo pipefail
cluster=${1:?cluster} service=${2:?service} image=${3:?image}

current=$(aws ecs describe-services --cluster "$cluster" --services "$service" \
  --query 'services[0].taskDefinition' --output text)
echo "ecs-deploy: $service on $current -> $image"
aws ecs describe-task-definition --task-definition "$current" --query taskDefinition --output json |
  jq --arg image "$image" '
    .containerDefinitions[0].image = $image
    | del(.taskDefinitionArn, .revision, .status, .requiresAttributes, .compatibilities,
          .registeredAt, .registeredBy, .deregisteredAt)' >"${TMPDIR:-/tmp}/taskdef-$service.json"
new=$(aws ecs register-task-definition --cli-input-json "file://${TMPDIR:-/tmp}/taskdef-$service.json" \
  --query taskDefinition.taskDefinitionArn --output text)
echo "ecs-deploy: registered $new"
aws ecs update-service --cluster "$cluster" --service "$service" --task-definition "$new" \
  --query 'service.deployments[0].id' --output text >/dev/null

# Wait for the rollout to finish: COMPLETED, or FAILED (circuit breaker rolled back).
deadline=$((SECONDS + ${DEPLOY_TIMEOUT:-1200}))
while :; do
  state=$(aws ecs describe-services --cluster "$cluster" --services "$service" \
    --query "services[0].deployments[?taskDefinition=='$new'] | [0].rolloutState" --output text)
  case $state in
    COMPLETED) echo "ecs-deploy: $service now runs $new"; exit 0 ;;
    FAILED | None)
      echo "ecs-deploy: rollout of $new FAILED; ECS rolled $service back to the previous revision" >&2
      aws ecs describe-services --cluster "$cluster" --services "$service" \
        --query 'services[0].events[:10].[createdAt,message]' --output text >&2
      exit 1 ;;
  esac
  if ((SECONDS > deadline)); then echo "ecs-deploy: timed out waiting for $service" >&2; exit 1; fi
  sleep 15
done
