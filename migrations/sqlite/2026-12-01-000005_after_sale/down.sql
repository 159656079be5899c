DROP TABLE member_profiles;
DROP TABLE notification_deliveries;
DROP TABLE notifications;
DROP TABLE fulfillment_history;
DROP TABLE fulfillments;
