//! batch-ingest: an SQS consumer guarded by lambda-guard.
//!
//! The guard removes hostile records before the handler sees the batch and reports them as
//! `batchItemFailures`; the handler reports its own failures (records it cannot parse) the same
//! way, and the guard merges both lists. Needs `ReportBatchItemFailures` on the event source
//! mapping.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lambda_runtime::{service_fn, Error, LambdaEvent};
use serde::Deserialize;

#[derive(Deserialize)]
struct Reading {
    sensor: String,
    value: f64,
}

async fn handler(event: LambdaEvent<SqsEvent>) -> Result<SqsBatchResponse, Error> {
    let mut response = SqsBatchResponse::default();
    for record in event.payload.records {
        let id = record.message_id.unwrap_or_default();
        match record.body.as_deref().map(serde_json::from_str::<Reading>) {
            // stdout is line-buffered, so the line reaches the log in one write; stderr writes
            // each piece, and the guard's own log lines could land in between.
            Some(Ok(reading)) => println!("ingested {} = {}", reading.sensor, reading.value),
            _ => {
                let mut failure = BatchItemFailure::default();
                failure.item_identifier = id;
                response.batch_item_failures.push(failure);
            }
        }
    }
    Ok(response)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_guard::run(service_fn(handler)).await
}
