//! The OpenLineage event decoder (`src/openlineage/event.rs`) and the naming that follows it
//! (`src/openlineage/naming.rs`) take any bytes without panicking: what the decoder refuses
//! it names with a JSON path into the event and a reason; what it accepts has a lower-case
//! UUID for a run id, and each of its datasets and its job maps to a well-formed URN (or to a
//! refusal, never a panic), from which the job's name reads back as sent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use mlcat::openlineage::event::{decode, Dataset, Event};
use mlcat::openlineage::naming;
use mlcat::urn::Urn;

fn check_dataset(d: &Dataset) {
    if let Ok(urn) = naming::dataset_urn(&d.namespace, &d.name, "PROD") {
        assert!(Urn::parse(urn.as_str()).is_ok());
        for f in d.schema.iter().flatten() {
            if let Ok(field) = naming::field_urn(&urn, &f.path) {
                let (dataset, path) = naming::field_parts(field.as_str()).expect("a column URN");
                assert_eq!(dataset, urn.as_str());
                assert_eq!(path, f.path);
            }
        }
    }
}

fn check_job(namespace: &str, name: &str, producer: &str) {
    let orchestrator = naming::orchestrator(None, producer);
    let Ok(flow) = naming::flow_urn(&orchestrator, namespace, "PROD") else {
        return;
    };
    let Ok(job) = naming::job_urn(&flow, name) else {
        return;
    };
    let (flow_text, job_name) = naming::job_parts(job.as_str()).expect("a job URN");
    assert_eq!(job_name, name);
    let (_, ns, _) = naming::flow_parts(&flow_text).expect("a flow URN");
    assert_eq!(ns, namespace);
}

fuzz_target!(|data: &[u8]| {
    match decode(data) {
        Ok(Event::Run(e)) => {
            assert_eq!(e.run.run_id.len(), 36);
            assert_eq!(e.run.run_id, e.run.run_id.to_ascii_lowercase());
            check_job(&e.job.namespace, &e.job.name, &e.header.producer);
            e.inputs.iter().chain(&e.outputs).for_each(check_dataset);
        }
        Ok(Event::Job(e)) => {
            check_job(&e.job.namespace, &e.job.name, &e.header.producer);
            e.inputs.iter().chain(&e.outputs).for_each(check_dataset);
        }
        Ok(Event::Dataset(e)) => check_dataset(&e.dataset),
        Err(refusal) => assert!(!refusal.message.is_empty()),
    }
});
