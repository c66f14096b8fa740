#!/bin/sh
# Walk a new college, Teknikcollege Gävleborg, from its interest registration to certified
# and on to ordinary operation, using nothing but `teknikcollege` commands.
#
#   sh examples/walk-a-new-college.sh [DATABASE]
#
# DATABASE is a new SQLite file (default: one in a fresh temporary folder), so the walk
# can be run again and again. Time passes through TEKNIKCOLLEGE_TODAY, the command
# line's clock (the same as --today): every command acts on that day.
# The people and companies are illustrative; the municipality codes are real.
set -eu

DB=${1:-$(mktemp -d)/gavleborg.db}
if [ -e "$DB" ]; then
    echo "$DB exists; give the walk a new file" >&2
    exit 2
fi

tc() { teknikcollege --db "$DB" "$@"; }
day() {
    TEKNIKCOLLEGE_TODAY=$1
    export TEKNIKCOLLEGE_TODAY
    shift
    echo "== $TEKNIKCOLLEGE_TODAY  $*"
}

# Every change names the person who makes it (--actor, or TEKNIKCOLLEGE_ACTOR for all the
# commands that follow); the store decides from its own records what each may do.
ADMIN=p-admin
LEADER=p-leader:process_leader
OFFICE=p-office:national_office
REVIEWER=p-rev1:reviewer

day 2024-01-15 "Region Gävleborg starts a pilot with Gävle, Sandviken and Hofors"
tc init --admin $ADMIN --name "Ada Administratör"
# The administrator enters the partners, the people and the college.
TEKNIKCOLLEGE_ACTOR=$ADMIN
export TEKNIKCOLLEGE_ACTOR

# Partners: the region, three municipalities, a provider, companies, the national office.
tc organisation add region-gavleborg --name "Region Gävleborg" --kind region --county-code 21
tc organisation add gavle --name "Gävle kommun" --kind municipality --municipality-code 2180
tc organisation add sandviken --name "Sandvikens kommun" --kind municipality \
    --municipality-code 2181
tc organisation add hofors --name "Hofors kommun" --kind municipality --municipality-code 2104
tc organisation add vux-gavleborg --name "Vuxenutbildningen Gävleborg" \
    --kind education_provider --provider-kind municipal_adult_education
tc organisation add stalverket --name "Stålverket i Gävle AB" --kind company
tc organisation add verktyg-norr --name "Verktyg Norr AB" --kind company
tc organisation add montage-hofors --name "Montage Hofors AB" --kind company
tc organisation add rts --name "Riksföreningen Teknikcollege Sverige" --kind national_body

# People: the process leader, steering-group members, the national office, two reviewers.
tc person add p-leader --name "Kim Processledare" --role process_leader \
    --email processledare@example.org --organisation region-gavleborg
tc person add p-chair --name "Alex Ordförande" --role chair --role member \
    --email ordforande@example.org --organisation stalverket
tc person add p-verktyg --name "Robin Verktyg" --role member --organisation verktyg-norr
tc person add p-montage --name "Sam Montage" --role member --organisation montage-hofors
tc person add p-gavle --name "Eli Gävle" --role member --organisation gavle
tc person add p-vux --name "Vic Vux" --role member --role contact --organisation vux-gavleborg
tc person add p-office --name "Riks Kansli" --role national_office \
    --email kansli@example.org --organisation rts
tc person add p-rev1 --name "Gran Skare" --role reviewer --email granskare@example.org
tc person add p-rev2 --name "Ulla Granskare" --role reviewer
tc person pool review-committee --name "Granskningskommittén" --member p-rev1 --member p-rev2 \
    --from 2024-01-01

# The college: members, agreements, funding, a local college, steering groups.
tc college add gavleborg --name "Teknikcollege Gävleborg" --county 21 \
    --municipality 2180 --municipality 2181 --municipality 2104 \
    --process-leader p-leader --branch-area industry --branch-area technology \
    --pilot-from 2024-01-15 --pilot-until 2026-12-31
tc college agreement gavleborg samverkan-2024 --kind collaboration \
    --from 2024-01-15 --until 2029-12-31 \
    --municipality 2180 --municipality 2181 --municipality 2104
tc college agreement gavleborg loi-stalverket-vux --kind letter_of_intent \
    --from 2024-01-15 --until 2029-12-31 --party stalverket --party vux-gavleborg
tc college funding gavleborg --funder region-gavleborg --amount 1200000 \
    --from 2024-01-15 --until 2026-12-31
tc college local gavleborg gavle-sandviken --name "Teknikcollege Gävle-Sandviken" \
    --municipality 2180 --municipality 2181 --provider vux-gavleborg

tc group add gavleborg gavleborg-regional --name "Regional styrgrupp Gävleborg"
tc group member gavleborg gavleborg-regional p-chair --sector company \
    --organisation stalverket --chair
tc group member gavleborg gavleborg-regional p-verktyg --sector company \
    --organisation verktyg-norr
tc group member gavleborg gavleborg-regional p-montage --sector company \
    --organisation montage-hofors
tc group member gavleborg gavleborg-regional p-gavle --sector municipality --organisation gavle
tc group member gavleborg gavleborg-regional p-vux --sector education_provider \
    --organisation vux-gavleborg
tc group add gavleborg gavle-sandviken-local --name "Lokal styrgrupp Gävle-Sandviken" \
    --local gavle-sandviken
tc group member gavleborg gavle-sandviken-local p-verktyg --sector company \
    --organisation verktyg-norr --chair
tc group member gavleborg gavle-sandviken-local p-chair --sector company \
    --organisation stalverket
tc group member gavleborg gavle-sandviken-local p-gavle --sector municipality \
    --organisation gavle

# The first programme, built during the pilot, with the companies' contributions.
tc programme add svetsare-gavle --title "Svetsare" --form vocational_adult --weeks 40 \
    --provider vux-gavleborg --college gavleborg --local-college gavle-sandviken \
    --branch-area industry --start 2024-02-05 --pilot \
    --contribution stalverket:apl_places:6 --contribution stalverket:supervisors:2 \
    --contribution verktyg-norr:apl_places:3

tc case open college-lifecycle college:gavleborg --actor $LEADER --id life-gavleborg

# From here on the process leader and the national office record their own steps.
day 2024-09-02 "Interest registration for the college, its provider and its programme"
tc record interest interest-2024 --college gavleborg --registrant region-gavleborg \
    --unit college:gavleborg --unit provider:vux-gavleborg --unit programme:svetsare-gavle \
    --contact p-leader --expected 2025-01-20 --approved --actor $LEADER
# The tree of units: the college, the provider within it, the programme at the provider.
tc case open certification college:gavleborg --actor $LEADER --id cert-gavleborg
tc case open certification provider:vux-gavleborg --college gavleborg --actor $LEADER \
    --id cert-vux
tc case open certification programme:svetsare-gavle --actor $LEADER --id cert-svetsare

day 2024-09-16 "The national office approves the interest registration"
for case in cert-gavleborg cert-vux cert-svetsare; do
    tc case fire $case approve_interest --actor $OFFICE
done

day 2025-01-20 "The annual report and survey for 2024; the applications go in"
tc record annual-report ar-2024 --college gavleborg --year 2024 --actor $LEADER
tc record survey survey-2024 --college gavleborg --year 2024 \
    --companies 11 --teachers 7 --students 64 --index 77 --actor $LEADER
tc record application app-gavleborg cert-gavleborg --all-documents --approved-on 2025-01-14 \
    --actor $LEADER
tc record application app-vux cert-vux --document self_assessment_local \
    --approved-on 2025-01-14 --actor $LEADER
tc record application app-svetsare cert-svetsare --document self_assessment_local \
    --document "action_plan_local:Handlingsplan Svetsare 2025" --approved-on 2025-01-14 \
    --actor $LEADER
for case in cert-gavleborg cert-vux cert-svetsare; do
    tc case fire $case submit_application --actor $LEADER
done

day 2025-01-27 "The national office starts the review"
for case in cert-gavleborg cert-vux cert-svetsare; do
    tc case fire $case start_review --actor $OFFICE
done

day 2025-03-11 "Review visit: two reviewers; their judgements"
tc record visit visit-gavleborg cert-gavleborg --reviewer p-rev1 --reviewer p-rev2 \
    --pool review-committee --office p-office --sampled gavle-sandviken --actor $OFFICE
tc record visit visit-vux cert-vux --reviewer p-rev1 --reviewer p-rev2 \
    --pool review-committee --office p-office --actor $OFFICE
tc record visit visit-svetsare cert-svetsare --reviewer p-rev1 --reviewer p-rev2 \
    --pool review-committee --office p-office --actor $OFFICE
for rule in industry-skills-needs learning-environment education-within-tc; do
    tc record judgement "judgement-$rule" --rule "$rule" --subject gavleborg \
        --outcome passed --evidence "seen on the review visit" --actor $REVIEWER
done
tc record judgement judgement-vux-quality --rule provider-quality-work --subject vux-gavleborg \
    --outcome passed --evidence "quality work seen on the review visit" --actor $REVIEWER
for case in cert-gavleborg cert-vux cert-svetsare; do
    tc case fire $case hold_visit --actor $REVIEWER
done

day 2025-04-07 "Protocols: the college is asked for a supplement"
tc record protocol protocol-gavleborg cert-gavleborg \
    --supplement "local action plan for Hofors" --actor $OFFICE
tc case fire cert-gavleborg request_supplements --actor $REVIEWER
for case in cert-vux cert-svetsare; do
    tc record protocol "protocol-${case#cert-}" $case --actor $OFFICE
    tc case fire $case issue_protocol --actor $REVIEWER
done

day 2025-06-16 "A postponement of the supplement until the end of August"
tc case fire cert-gavleborg grant_postponement --actor $OFFICE \
    --param new_due=2025-08-29 --note "board meeting in August"
tc tick

day 2025-08-25 "The supplement arrives"
tc record supplement supplement-gavleborg cert-gavleborg \
    --description "Local action plan for Hofors, adopted by the municipal board" \
    --actor $LEADER
tc case fire cert-gavleborg submit_supplements --actor $LEADER

day 2025-09-15 "Decisions: the college, the provider and the programme are certified"
tc assess college:gavleborg
# Down the tree: the provider within the certified college, the programme at the provider.
tc case fire cert-gavleborg approve --actor $OFFICE --note "certified for three years"
tc case fire cert-vux approve --actor $OFFICE
tc case fire cert-svetsare approve --actor $OFFICE
tc case fire life-gavleborg certify --actor $OFFICE

day 2025-10-01 "Ordinary operation"
tc case fire life-gavleborg enter_ordinary_operation --actor $LEADER \
    --note "college and pilot programme certified"
tc tick
tc deliver
tc case list --college gavleborg
echo "The walk is in $DB"
