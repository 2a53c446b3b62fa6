-- Runs once when the PostgreSQL volume is created (deploy/docker-compose.yml):
-- Rasa's conversations live in their own database, next to ours.
CREATE DATABASE karriere_trackers OWNER karriere;
