/**
 * English rules. The text arrives normalised (lower case, straight
 * apostrophes, single spaces, letters repeated three times or more cut to one),
 * so patterns accept the common spellings people type: "dont", "im", "wanna".
 */
import { type LanguageRules, rule, type VagueRules } from "./rules";

/** Reflexive and possessive slots: the group says whom the match is about. */
const REFL = "(?<who>myself|my ?self|himself|herself|themselves|themself)";
const POSS = "(?<who>my|his|her|their)";
const PILLS =
  "(?:pills|tablets|meds|medication|medicine|tylenol|paracetamol|painkillers|antidepressants|ibuprofen|advil|aspirin|insulin|xanax|benzos|sleeping pills|sleeping tablets)";
/** Amounts that make taking pills an overdose rather than a dose. */
const MANY =
  "(?:all|all of|most of|every one of|a (?:whole )?(?:lot|bunch|handful|bottle|box|pack|packet)(?: of)?|lots of|the whole (?:bottle|box|pack|packet)(?: of)?|a ton of|way too many|too many|\\d{2,}|twenty|thirty|forty|fifty)";
const OWNER = "(?:(?:my|his|her|their|the|mum's|mom's|dad's) )?";
/** Up to two words between the amount and the pills ("a bunch of my old sleeping pills"). */
const FEW = "(?:[a-z0-9']+ ){0,2}?";
const PLACE =
  "(?:bridge|roof|rooftop|building|balcony|cliff|tower|window|ledge|overpass|train|bus|car|truck|traffic|subway|highway|river|sea|ocean|lake|floor|parking garage|platform|tracks)";

/** The room or the car sealed: with charcoal, the preparation is done. */
const SEAL =
  "(?:tap(?:e|ed|ing)|seal(?:ed|ing)?|block(?:ed|ing)?|stuff(?:ed|ing)?|cover(?:ed|ing)?)\\s+(?:up\\s+)?(?:the\\s+|my\\s+|all\\s+(?:the\\s+)?)?(?:car\\s+|bathroom\\s+|bedroom\\s+|room\\s+)?(?:windows?|doors?|vents?|gaps?|cracks?)\\b";
/** A time and nothing else, for a bare decision's when ("i've decided. tomorrow after work"). */
const TIME =
  "(?:tonight|today|tomorrow(?:\\s+(?:night|morning|evening))?|(?:this|next)\\s+(?:weekend|week|evening|afternoon|morning|[a-z]+day)|(?:mon|tues|wednes|thurs|fri|satur|sun)day(?:\\s+(?:night|morning|evening|afternoon))?|(?:after|before)\\s+(?:work|school|class|dinner|lunch|breakfast|church|midnight|sunrise|dawn|(?:everyone|everybody|they|anyone)(?:'s|'re|\\s+is|\\s+are)?\\s+(?:leaves?|goes\\s+to\\s+bed|asleep|awake|up|home|back))|first\\s+thing(?:\\s+in\\s+the\\s+morning)?|in\\s+the\\s+morning|at\\s+(?:midnight|dawn|\\d{1,2}(?::\\d\\d)?\\s*(?:am|pm)?)|midnight|soon|now|right\\s+now|(?:the\\s+)?\\d{1,2}(?:st|nd|rd|th))";

const rules = [
  // direct: intent, said outright
  rule("direct", "high", String.raw`\bsui?[cs]+i?d(?:es?|al|le|ial|ing)\b|\bsewer\s*slide\b`),
  rule("direct", "high", String.raw`\b(?:kill(?:ing|ed)?|kil|unalive|unaliving|off|hurt(?:ing)?|harm(?:ing|ed)?)\s+${REFL}`),
  rule("direct", "high", String.raw`\bself[- ]?(?:harm(?:ing|ed)?|injur\w*)\b`),
  rule("direct", "high", String.raw`\b(?:end(?:ing|ed)?|take|taking|took)\s+${POSS}\s+(?:own\s+)?life\b`),
  rule("direct", "high", String.raw`\bend(?:ing)?\s+(?:it\s+all|everything|things\s+for\s+good|it\s+for\s+good)\b`),
  rule(
    "direct",
    "high",
    String.raw`\b(?:want|wanna|wants|wanted|going|gonna|ready|deserve|need|plan(?:ning)?|trying|hope|hoping|would\s+rather|i'?d\s+rather|should|might\s+as\s+well|let\s+me)\s+(?:to\s+)?(?:just\s+|really\s+|honestly\s+)?(?:die|be\s+dead|dye(?=\s*(?:[,.!?]|$)))\b(?!\s+(?:my|her|his|the)\s+hair)`,
  ),
  rule("direct", "high", String.raw`\bwish(?:es|ed)?\s+(?<who>i|he|she|they)\s+(?:could\s+(?:just\s+)?die\b|(?:was|were|'d\s+been)\s+dead\b)`),
  rule("direct", "high", String.raw`\b(?:better\s+off|rather\s+be|be\s+better)\s+dead\b`),
  rule(
    "direct",
    "high",
    String.raw`\b(?:don'?t|do\s+not|no\s+longer)\s+(?:really\s+)?(?:want|wanna|wish)\s+(?:to\s+)?(?:live|be\s+alive|keep\s+living|go\s+on\s+living)\b`,
  ),
  rule("direct", "high", String.raw`\b(?:dying|death|to\s+die|suicide)\s+(?:is|seems|feels)\s+(?:like\s+)?(?:the\s+)?(?:only|best|easiest)\b`),
  rule(
    "direct",
    "high",
    String.raw`\b(?:no\s+(?:other\s+)?|the\s+only\s+|one\s+)?way\s+out\s+(?:but|except|other\s+than|is)\s+(?:dying|death|to\s+die)\b`,
  ),
  rule("direct", "high", String.raw`\b(?:wanna|gonna|want\s+to|going\s+to)\s+kms\b`),
  // indirect: "ending it", burden, hopelessness, disappearing
  rule(
    "indirect",
    "high",
    String.raw`\b(?:(?:think(?:ing)?|thought|talk(?:s|ing|ed)?)\s+(?:about|of)|close\s+to|near\s+to)\s+ending\s+(?:it|things)\b(?!\s+(?:with|between|early))`,
  ),
  rule(
    "indirect",
    "high",
    String.raw`\b(?:want|wants|wanted|wanna|going|gonna|ready|need|plan(?:ning)?|about)\s+to\s+end\s+(?:it|things)\b(?!\s+(?:with|between|early))`,
  ),
  rule("indirect", "high", String.raw`\bgonna\s+end\s+(?:it|things)\b(?!\s+(?:with|between|early))`),
  rule("indirect", "low", String.raw`\bbetter\s+(?:off\s+|place\s+)?without\s+me\b`, { self: true }),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:everyone|everybody|people|they|the\s+world|(?:my|his|her|their)\s+(?:family|parents|kids|friends))\s+(?:would|will|'d)\s+(?:all\s+)?be\s+better\s+off\s+without\s+(?<who>me|her|him|them)\b`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:happier|better\s+off|better|relieved|easier|simpler)\s+(?:(?:life|lives|time)\s+)?(?:honestly\s+|really\s+)?if\s+i\s+(?:(?:was|were|wasn'?t|weren'?t)\s+(?:dead|gone|here|around|alive|never\s+born|out\s+of\s+the\s+picture)|vanished|disappeared|died)\b|\b(?:doing|do)\s+(?:everyone|everybody|them|the\s+world|my\s+family)\s+a\s+favou?r\s+(?:by\s+not\s+being\s+(?:here|around|alive)|if\s+i\s+(?:wasn'?t|weren'?t|was\s+gone|were\s+gone|disappeared|died))\b|\b(?:can'?t|don'?t|cannot)\s+(?:see|imagine|picture)\s+(?:a|any|my)\s+future\s+(?:where|in\s+which)\s+i'?m\s+(?:still\s+)?(?:here|alive|around)\b`,
    { self: true },
  ),
  rule(
    "indirect",
    "low",
    String.raw`\ba\s+burden(?:\s+(?:to|on|for)\s+(?:[a-z]+ly\s+)?(?:everyone|everybody|people|others|them|you|him|her|my\s+[a-z]+|the\s+people)|\s*(?:[,.!?]|$))`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\bno\s*(?:one|body)\s+(?:would|will|'d)(?:\s+even)?\s+(?:miss|notice|care)\b(?:\s+(?:about\s+)?me\b|\s+if\s+i\s+(?:died|was\s+gone|were\s+gone|disappeared|vanished|wasn'?t\s+(?:here|around)|weren'?t\s+(?:here|around)|was\s+dead|were\s+dead|killed\s+myself|left\s+forever|stopped\s+existing|never\s+came\s+back))`,
    { self: true },
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:want|wanna|wish\s+i\s+could|need|should|could|going|gonna|will)\s+(?:to\s+)?(?:just\s+)?(?:disappear|vanish|cease\s+to\s+exist|stop\s+existing|stop\s+breathing|stop\s+living|not\s+exist)\b(?!\s+(?:from|into|for|to|on|off)\b)`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:fall\s+asleep|go\s+to\s+sleep|sleep)\s+and\s+(?:never|not)\s+(?:wake\s+up|deal\s+with\s+(?:any\s+of\s+)?(?:this|it)\s+(?:ever\s+)?again)\b|\b(?:won'?t|will\s+not|never)\s+wake\s+up\s+again\b`,
  ),
  rule("indirect", "low", String.raw`\b(?:don'?t|do\s+not)\s+(?:want\s+to|wanna)\s+wake\s+up\b(?!\s+(?:early|at|before))`),
  rule(
    "indirect",
    "low",
    String.raw`\bno\s+(?:point|reason|purpose)\s+(?:in\s+|to\s+|of\s+|for\s+me\s+to\s+)?(?:living|live|life|being\s+alive|going\s+on|keep\s+going|existing|anything\s+anymore)\b`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\bwhat'?s\s+the\s+point\s+(?:of|in)\s+(?:living|life|being\s+alive|going\s+on|anything|it\s+all|trying\s+anymore)\b`,
  ),
  rule("indirect", "low", String.raw`\blife\s+(?:isn'?t|is\s+not|ain'?t|is\s+no\s+longer|is\s+never|not)\s+worth\b|\bnot\s+worth\s+living\b`),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:i\s+feel|i'?m|feeling|i\s+am|felt)\s+(?:so\s+|completely\s+|totally\s+|really\s+|utterly\s+|very\s+|just\s+)?hopeless\b`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:lost\s+all|no\s+more|there'?s\s+no|i\s+have\s+no|i'?ve\s+got\s+no)\s+hope\b(?!\s+(?:in|for)\s+(?:this|the|that)\s)`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\bcan'?t\s+(?:go\s+on|keep\s+going|(?:keep\s+)?liv(?:e|ing)\s+like\s+this|do\s+(?:this|it|life)|take\s+(?:it|this|life))(?:\s+(?:anymore|any\s+more|like\s+this|much\s+longer)|\s*(?:[,.!?]|$))`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:don'?t|do\s+not)\s+(?:want\s+to|wanna)\s+(?:be\s+(?:here|around)\s+(?:anymore|any\s+more|any\s+longer|tomorrow)|exist)\b`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:tired\s+of\s+(?:living|being\s+alive|life|existing)|done\s+(?:with\s+(?:life|living|being\s+alive|it\s+all)|living))\b(?!\s+(?:with|at|in|here|there|alone|on|near|like\s+a))`,
  ),
  rule("indirect", "low", String.raw`\b(?:nothing|no\s+one|nobody)\s+(?:left\s+)?to\s+live\s+for\b`),
  // an emphatic fragment after a full stop: "i'm so done. with everything. with being alive"
  rule("indirect", "low", String.raw`^\s*(?:and\s+)?with\s+(?:life|living|being\s+alive|existing)\s*$`, { self: true }),
  rule(
    "indirect",
    "low",
    String.raw`\bthink(?:ing)?\s+about\s+(?:dying|death|being\s+dead)\s+(?:a\s+lot|all\s+the\s+time|constantly|every\s+day|so\s+much)\b|\b(?:can'?t\s+stop|keep)\s+thinking\s+about\s+(?:death|dying|being\s+dead)\b|\bfeel(?:ing)?\s+like\s+dying\b(?!\s+(?:my|her|his|the)\s+hair)`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:don'?t\s+think|not\s+sure)\s+i\s+can\s+(?:do\s+this|go\s+on|keep\s+going|take\s+(?:it|this)|live\s+like\s+this)\s+(?:anymore|any\s+more|much\s+longer)\b`,
    { self: true },
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:might|going\s+to|gonna|will|i'?ll|afraid\s+i'?ll|scared\s+i'?ll)\s+do\s+something\s+(?:stupid|drastic)\b(?!\s+like)`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:imagin(?:e|ing)|fantasi[sz](?:e|ing)|dream(?:ing)?\s+about)\s+(?:just\s+)?(?:not\s+existing|not\s+being\s+(?:here|alive|around)|being\s+dead|dying)\b`,
  ),
  rule("indirect", "low", String.raw`\bend\s+(?:my|this)\s+(?:suffering|misery)\b`),
  rule(
    "indirect",
    "high",
    String.raw`\bend\s+(?:the|my|this|all\s+the)\s+(?:pain|suffering|misery)\s+(?:for\s+good|forever|once\s+and\s+for\s+all|permanently)\b`,
  ),
  rule("indirect", "low", String.raw`\bhow\s+(?:much\s+)?longer\s+i\s+can\s+(?:keep\s+going|go\s+on|take\s+(?:it|this)|do\s+this|hold\s+on)\b`, {
    self: true,
  }),
  rule("indirect", "low", String.raw`\bwish\s+i\s+(?:had|'d)\s+never\s+been\s+born\b`),
  rule("indirect", "low", String.raw`\b(?:want|wish|need)\s+(?:everything|it\s+all|it|the\s+pain|all\s+of\s+it)\s+to\s+(?:stop|end)\b`),
  rule("indirect", "low", String.raw`\bgiv(?:e|ing)\s+up\s+on\s+(?:life|living|everything)\b`),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:want|wanna|wish\s+i\s+could|wish)\s+(?:to\s+)?(?:go\s+to\s+)?sleep\s+forever\b|\b(?:want|wanna|wish\s+i\s+(?:was|were|could\s+be))\s+(?:to\s+be\s+)?gone\b(?!\s+(?:for|from|by))`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:my\s+)?life\s+(?:is|feels|seems)\s+(?:so\s+|completely\s+|totally\s+)?(?:pointless|meaningless|unbearable)\b(?!\s+without)`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:hate|can'?t\s+stand|sick\s+of)\s+(?:being\s+alive|living|existing)\b(?!\s+(?:in|with|here|there|alone|at|on|near|so|like\s+a))`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:want|wish|need)\s+(?:it|everything|it\s+all|this|all\s+of\s+this)\s+to\s+be\s+over\b(?!\s+already)|\b(?:imagin(?:e|ing)|planning)\s+my\s+(?:own\s+)?funeral\b`,
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:not\s+sure|don'?t\s+know|unsure)\s+(?:if\s+|whether\s+|that\s+)?i\s+(?:even\s+|still\s+)?(?:want|wanna)\s+(?:to\s+)?(?:live|be\s+alive|keep\s+(?:living|going)|go\s+on|be\s+here)\b`,
    { self: true },
  ),
  rule(
    "indirect",
    "low",
    String.raw`\b(?:why\s+(?:should|would|do)\s+i|don'?t\s+see\s+why\s+i\s+should)\s+(?:even\s+)?(?:keep\s+living|live|go\s+on|bother\s+living)\b`,
    { self: true },
  ),
  // methods and means
  rule(
    "method",
    "high",
    String.raw`\b(?:cut(?:ting)?|burn(?:ing)?|hang(?:ing|ed)?|shoot(?:ing)?|drown(?:ing)?|poison(?:ing)?|stab(?:bing)?|strangle|starve|starving)\s+${REFL}`,
  ),
  rule("method", "high", String.raw`\b(?:cut(?:ting)?|slit(?:ting)?|slash(?:ing)?)\s+${POSS}\s+(?:wrists?|arms?|legs?|thighs?|skin|veins?|throat)\b`),
  rule(
    "method",
    "high",
    String.raw`\b(?:take|taking|swallow(?:ing)?|down(?:ing)?|overdose\s+on|od\s+on)\s+(?:like\s+|about\s+|around\s+|maybe\s+|over\s+|almost\s+)?${MANY}\s+${OWNER}${FEW}${PILLS}\b(?!\s+(?:for|as|with))`,
  ),
  rule("method", "high", String.raw`\b(?:take|taking|swallow(?:ing)?|down(?:ing)?)\s+(?:the|a)\s+whole\s+(?:bottle|box|pack|packet)\b`),
  rule(
    "plan",
    "high",
    String.raw`\bi\s*(?:have|'ve\s+got|got)\s+(?:the|enough)\s+(?:pills|rope|noose|razor|blades|gun|charcoal)\b(?!\s+(?:for|from|to\s+(?!do\s+it)))`,
  ),
  rule(
    "method",
    "high",
    String.raw`\b(?:burn(?:ing|ed|t)?|scratch(?:ing|ed)?|hit(?:ting)?|punch(?:ing|ed)?|bang(?:ing|ed)?|carv(?:e|ing|ed))\s+(?:my|his|her)\s+(?:arms?|wrists?|legs?|thighs?|skin|hands?|head|stomach)\s+(?:with\s+(?:a\s+)?(?:lighter|cigarettes?|match(?:es)?|knife|blade|razor|compass|scissors)|against\s+(?:the|a)\s+wall|until\s+(?:it|they)\s+bleeds?)\b|\b(?:blade|knife|razor|scissors)\s+(?:against|to|on)\s+(?:my|his|her)\s+(?:wrists?|throat|neck|arms?|skin|chest)\b`,
  ),
  rule("method", "high", String.raw`\boverdos(?:e|ing)\b|\bnoose\b|\b(?:gonna|going\s+to|want\s+to|wanna|will|might)\s+(?:just\s+)?od\b`),
  rule("method", "high", String.raw`\b(?:i|i'?m|im|been|started|keep|relapsed\s+and)\s+(?:cutting|cut)\s+(?:again|rn|right\s+now|tonight)\b`),
  rule(
    "method",
    "high",
    String.raw`\b(?:jump(?:ing|s)?|leap(?:ing)?|step(?:ping)?|walk(?:ing)?|throw(?:ing)?\s+${REFL})\s+(?:off|from|in\s+front\s+of|under|out\s+of|into)\s+(?:a|the|this|that|my|our|an)\s+(?:[a-z0-9]+\s+){0,2}?${PLACE}\b`,
  ),
  rule("method", "high", String.raw`\b(?:going\s+to|gonna|about\s+to|want\s+to|wanna|will|i'?ll)\s+jump(?=\s*(?:[,.!?]|$))`),
  rule(
    "method",
    "high",
    String.raw`\b(?:driv(?:e|ing)|crash(?:ing)?|steer(?:ing)?)\s+(?:my\s+car\s+|it\s+)?(?:off|into)\s+(?:a|the|an)\s+(?:[a-z]+\s+){0,2}?(?:cliff|wall|tree|bridge|river|truck|oncoming|lake|sea|pole|road|pier|overpass)\b`,
  ),
  rule("method", "high", String.raw`\bwalk(?:ing)?\s+into\s+the\s+(?:sea|ocean|river|lake|water)\b`),
  rule(
    "method",
    "high",
    String.raw`\b(?:drink(?:ing)?|drank|swallow(?:ing|ed)?)\s+(?:some\s+|the\s+)?(?:bleach|antifreeze|poison|pesticide|weed\s*killer|drain\s+cleaner)\b`,
  ),
  rule("method", "high", String.raw`\b(?:burn(?:ing|ed)?|light(?:ing)?|lit)\s+(?:a\s+|some\s+)?(?:charcoal|coal)\b(?!\s+(?:grill|bbq|barbecue))`),
  rule("method", "high", String.raw`\b(?:gun|pistol)\s+(?:to|against)\s+(?:my|his|her|their)\s+head\b|\bblow\s+my\s+brains\b`),
  rule(
    "method",
    "high",
    String.raw`\b(?:gun|pistol|rifle|pills|rope|noose|knife|razor|blades?)\b[^.!?]{0,40}?\b(?:(?:keep|kept|can'?t\s+stop)\s+(?:thinking|looking|staring)\s+(?:about|at)|(?:want|going|gonna)\s+to\s+use)\s+(?:it|them)\b`,
  ),
  // acts already done: imminent unless placed in the past
  rule(
    "method",
    "imminent",
    String.raw`\b(?:took|taken|swallowed|downed|ate|overdosed\s+on)\s+(?:like\s+|about\s+|around\s+|maybe\s+|over\s+|almost\s+)?${MANY}\s+${OWNER}${FEW}${PILLS}\b(?!\s+(?:for|as|with))`,
    {
      act: true,
    },
  ),
  rule("method", "imminent", String.raw`\boverdosed\b`, { act: true }),
  rule(
    "method",
    "imminent",
    String.raw`\b(?:won'?t|can'?t|doesn'?t|isn'?t)\s+stop(?:ping)?\s+(?:the\s+)?bleeding\b|\bcut\s+(?:too\s+|really\s+|so\s+)?deep\b`,
    { act: true },
  ),
  // past attempts
  rule(
    "past_attempt",
    "high",
    String.raw`\btried\s+to\s+(?:kill|hang|drown|shoot|poison|unalive|overdose|od)\b|\btried\s+to\s+end\s+(?:it|my|his|her|their|things)\b|\btried\s+to\s+take\s+(?:my|his|her|their)\s+(?:own\s+)?life\b|\battempted\s+(?:suicide|to\s+(?:kill|end|take))\b`,
  ),
  rule("past_attempt", "high", String.raw`\b(?:made|make)\s+(?:an?\s+|another\s+)?attempt\b(?!\s+(?:at|to\s+(?!kill|end)))`),
  rule("past_attempt", "high", String.raw`\b(?:suicide|(?:my|his|her|their|last|first|second|previous)\s+(?:suicide\s+)?)attempts?\b(?!\s+at\b)`),
  // plans, preparations and means at hand
  rule("plan", "high", String.raw`\bsuicide\s+(?:note|letter)s?\b|\b(?:goodbye|farewell)\s+(?:letters|notes|messages|video)\b`),
  rule(
    "plan",
    "high",
    String.raw`\b(?:wr(?:ote|itten|iting|ite)\s+(?:[a-z]+\s+)?(?:letters|notes)|(?:goodbye|farewell)\s+(?:letter|note|message))\s+(?:to|for)\s+(?:everyone|everybody|my\s+(?:family|parents|kids|children|friends|mom|mum|dad|wife|husband))\b`,
  ),
  rule("plan", "high", String.raw`\b(?:i\s+have|i'?ve\s+got|i\s+made|i'?ve\s+made)\s+a\s+plan\b(?!\s+(?:for|to\s+(?!die|end|kill)))`),
  rule(
    "plan",
    "high",
    String.raw`\b(?:ways?|methods?|how)\s+to\s+(?:die|kill\s+(?:myself|yourself|oneself)|commit\s+suicide|end\s+(?:my|your)\s+life|overdose)\b(?!\s+(?:(?:my|her|his|the)\s+hair|in\s+(?:minecraft|roblox|the\s+game|a\s+game)))`,
    { self: true },
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:posted|left)\s+(?:a\s+)?(?:goodbye|farewell)\s+(?:message|note|letter|post|video)\b(?!\s+(?:for|to)\s+the\s+(?:team|office|class|group|company))`,
  ),
  rule("plan", "high", String.raw`\blethal\s+dose\b|\b(?:painless|easiest|quickest|fastest)\s+way\s+to\s+(?:die|kill\s+myself)\b`),
  rule(
    "plan",
    "high",
    String.raw`\bhow\s+many\s+(?:[a-z]+\s+){1,3}?(?:does\s+it\s+take|would\s+it\s+take|do\s+i\s+need)\s+to\s+(?:die|not\s+wake|never\s+wake|overdose|kill)\b|\bhow\s+many\s+(?:[a-z]+\s+){1,3}?(?:would|will|to)\s+(?:kill|be\s+(?:fatal|lethal))\b`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:stockpil\w*|hoard\w*|sav(?:e|ed|ing)(?:\s+up)?|collect(?:ed|ing)?)\s+(?:up\s+)?(?:my\s+|her\s+|his\s+)?(?:[a-z']+\s+){0,2}?(?:pills|tablets|meds|medication|antidepressants|sleeping\s+pills)\b|\b(?:pills|tablets|meds)\s+(?:saved|stockpiled|hoarded|stashed)\b`,
  ),
  rule("plan", "high", String.raw`\b(?:bought|buy|got|tie|tied|have|has|had)\s+(?:a|the|some)\s+rope\b(?!\s+(?:for|to\s+(?:climb|tie\s+the)))`),
  rule("plan", "high", String.raw`\bthis\s+is\s+(?:my\s+)?goodbye\b|\bsaid\s+(?:my\s+)?goodbyes\b|\bgoodbye\s+(?:forever|everyone|world)\b`),
  rule(
    "plan",
    "high",
    String.raw`\bgiv(?:en|ing|e)\s+away\s+(?:all|everything)\b|\b(?:won'?t|will\s+not)\s+(?:be\s+needing|need)\s+(?:them|it|any\s+of\s+(?:it|this|them))\s*(?:anymore|any\s+more|where\s+i'?m\s+going|[,.!?]|$)`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:won'?t|will\s+not)\s+be\s+(?:here|around|alive)\s+(?:tomorrow|much\s+longer|for\s+long|next\s+(?:week|year)|by\s+(?:tomorrow|morning|monday|friday))\b`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:this\s+is|these\s+are)\s+my\s+last\s+(?:message|words|post|text)\b(?!\s+(?:before|for|of|until|till|today))|\blast\s+(?:message|text|post)\s+(?:i'?ll|i\s+will)\s+(?:ever\s+)?(?:send|write|post)\b`,
  ),
  rule(
    "direct",
    "high",
    String.raw`\bthreaten(?:ing|ed|s)?\s+(?:to\s+)?(?:jump|kill|end\s+(?:it|his|her|their)|overdose|hurt|suicide|take\s+(?:his|her|their))\b`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\bpicked\s+(?:out\s+)?(?:a|the)\s+(?:date|day|spot|place|bridge|building|time)\b(?!\s+(?:for|to\s+(?:meet|go|get|move|celebrate)))`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\bhow\s+(?:much|many)\s+(?:of\s+)?(?:my\s+)?(?:[a-z]+\s+){0,2}?(?:insulin|${PILLS})\s+(?:it\s+(?:would|will)\s+take|would\s+(?:kill|do\s+it|be\s+enough)|to\s+take\s+to)\b`,
  ),
  rule("plan", "imminent", String.raw`\bhose\b[^.!?]{0,30}?\b(?:exhaust|tailpipe)\b|\b(?:exhaust|tailpipe)\b[^.!?]{0,30}?\bhose\b`),
  rule(
    "method",
    "imminent",
    String.raw`\b(?:swallowed|took|taken|downed|ate)\s+(?:everything|all\s+the\s+(?:pills|meds|tablets))\s+(?:in|from)\s+(?:the|my|our)\s+(?:medicine\s+(?:cabinet|cupboard|box)|first\s+aid\s+(?:kit|box)|bathroom\s+cabinet)\b|\b(?:went|cut|going)\s+deeper\s+than\b`,
    { act: true },
  ),
  rule("method", "high", String.raw`\b(?:took|got|get|getting|taking)\s+(?:the|my)\s+(?:blade|razor|razors|blades)\s+out\b`),
  rule("plan", "high", String.raw`\b(?:left|wrote|sent)\s+(?:me\s+)?(?:a\s+)?note\s+saying\s+(?:sorry|goodbye)\b`),
  rule(
    "plan",
    "high",
    String.raw`\b(?:know|knew|picked|chose|chosen|found|worked\s+out)\s+(?:exactly\s+)?(?:which|where|what)\s+(?:[a-z]+\s+){0,3}?(?:on|of|off|at|from)\s+the\s+(?:[a-z-]+\s+)?(?:bridge|cliff|roof|overpass|car\s+park|tower|platform|viaduct)\b|\bpractis(?:e|ing|ed)\s+tying\s+(?:the|a)\s+(?:knot|noose)\b|\bpractic(?:e|ing|ed)\s+tying\s+(?:the|a)\s+(?:knot|noose)\b`,
    { self: true },
  ),
  // researching and choosing: a place without fences, a place nobody would find, an accident for the insurance
  rule(
    "plan",
    "high",
    String.raw`\b(?:look(?:ing|ed)?\s+(?:up|for|into)|check(?:ing|ed)?|search(?:ing|ed)?|googl(?:e|ing|ed)|research(?:ing|ed)?|find(?:ing)?|found|scout(?:ing|ed)?)\s+(?:for\s+)?(?:which|a|an|any|the\s+[a-z]+est)\s+(?:[a-z]+\s+){0,2}?(?:bridges?|buildings?|roofs?|car\s+parks?|cliffs?|towers?|balcon(?:y|ies))\b[^.!?]{0,30}?\b(?:don'?t|doesn'?t|without|with\s+no)\s+(?:have\s+)?(?:any\s+)?(?:fences?|fencing|railings?|barriers?|nets?)\b|\b(?:somewhere|a\s+(?:spot|place))\s+(?:[a-z]+\s+){0,4}?where\s+(?:no\s*one|nobody)\s+(?:would|will|could|can)\s+find\s+me\b`,
    { self: true },
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:want|make|made|making|could\s+make)\s+it\s+(?:look|seem)\s+like\s+an\s+accident\b|\b(?:my\s+family|they|my\s+kids)\s+(?:gets?|would\s+get|can\s+get|could\s+get)\s+(?:the\s+)?(?:life\s+)?insurance\b`,
    { self: true },
  ),
  rule("plan", "high", String.raw`\b(?:the|a|my)\s+(?:rope|noose)\s+(?:is|'s)\s+(?:in|under|behind|on)\s+(?:the|my)\b`),
  rule(
    "plan",
    "high",
    String.raw`\b(?:this\s+(?:will\s+be|is)|it'?ll\s+be)\s+the\s+last\s+time\s+(?:we|i|you'?ll|you\s+will)\s+(?:talk|speak|hear\s+from\s+me|see\s+me)\b(?!\s+(?:about|before|until|till|for|to\s+(?:him|her|them)|this\s+(?:week|year|month)))|\bso\s+(?:that\s+)?(?:no\s*one|nobody)\s+(?:has|have|will\s+have|needs)\s+to\s+(?:clean\s+up|sort\s+(?:anything|out)|deal\s+with\s+(?:anything|my))\b`,
  ),
  rule(
    "past_attempt",
    "high",
    String.raw`\b(?:tried|attempt\w*)\b[^.!?]{0,40}?\b(?:woke\s+up|ended\s+up|came\s+(?:to|round))\s+in\s+(?:the\s+)?(?:hospital|a&e|er|icu|intensive\s+care)\b`,
  ),
  rule(
    "plan",
    "imminent",
    String.raw`\b(?:is|'s|are|'re)\s+(?:standing\s+|sitting\s+)?on\s+(?:the|a)\s+(?:roof|rooftop|ledge|edge|bridge|railing)\b[^.!?]{0,40}?\b(?:won'?t|refuses\s+to|doesn'?t\s+want\s+to)\s+(?:come\s+down|get\s+down|come\s+back|move)\b|\b(?:writing|texting|typing)\s+(?:this\s+)?(?:from|on)\s+(?:the\s+)?(?:top\s+(?:floor\s+|level\s+)?of|roof\s+of|edge\s+of)\b`,
  ),
  rule("plan", "high", String.raw`\b(?:posted|texted|wrote|messaged|sent)\b[^.!?]{0,30}?\bsaying\s+goodbye\b`),
  rule(
    "plan",
    "high",
    String.raw`\b(?:sent|texted|posted)\s+(?:me\s+)?(?:a\s+)?(?:photo|picture|pic|video)\s+of\s+(?:[a-z']+\s+){0,4}?${PILLS}\b[^.!?]{0,30}?\b(?:said\s+(?:sorry|goodbye)|i'?m\s+sorry|goodbye)\b`,
  ),
  rule(
    "plan",
    "imminent",
    String.raw`\b${MANY}\s+${OWNER}${FEW}${PILLS}\b[^.!?]{0,30}?\b(?:in\s+front\s+of\s+me|next\s+to\s+me|beside\s+me|on\s+the\s+(?:table|desk|bed)\s+(?:in\s+front\s+of|next\s+to)\s+me|in\s+my\s+hands?)\b`,
  ),
  // preparations: charcoal with the room or the car sealed, enough pills bought, goodbyes said to everyone
  rule("plan", "imminent", String.raw`\bcharcoal\b[^.!?]{0,60}?\b${SEAL}|\b${SEAL}[^.!?]{0,60}?\bcharcoal\b`),
  rule(
    "plan",
    "high",
    String.raw`\b(?:bought|buy|got|get|picked\s+up|pick\s+up|stocked\s+up\s+on|ordered)\s+(?:[a-z0-9']+\s+){0,4}?${PILLS}\b[^.!?]{0,30}?\b(?:so\s+(?:that\s+)?i(?:'ll|\s+will|'d)?\s+(?:have|got)\s+enough|(?:to|till|until)\s+i\s+(?:have|had)\s+enough|enough\s+(?:now|to\s+(?:die|do\s+it|end\s+it|not\s+wake)))\b`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:said|saying|say|sent|sending)\s+(?:my\s+)?(?:last\s+)?goodbyes?\s+to\s+(?:everyone|everybody|all\s+of\s+(?:them|you)|the\s+people\s+i\s+love|(?:my|the)\s+(?:family|friends|kids|children|parents|people))\b(?!\s+(?:at|before|for\s+the|and\s+(?:left|flew|went|drove)))`,
  ),
  rule(
    "plan",
    "imminent",
    String.raw`\b(?:pills|rope|noose|knife|blade|razor|gun|charcoal)s?\s+(?:(?:is|are|'s|'re)\s+)?(?:right\s+)?(?:here|lined\s+up|counted\s+out|laid\s+out|ready|in\s+front\s+of\s+me|next\s+to\s+me|in\s+my\s+hands?|beside\s+me|on\s+my\s+(?:desk|bed|lap)|tied|set\s+up)\b`,
  ),
  rule(
    "plan",
    "imminent",
    String.raw`\bi\s*(?:have|'ve\s+got|got|am\s+holding|'?m\s+holding)\s+(?:the|a|my)\s+(?:pills|rope|noose|knife|blade|razor|gun)s?\s+(?:ready|here|in\s+(?:my\s+hand|front\s+of\s+me)|next\s+to\s+me|with\s+me)\b`,
  ),
  rule(
    "plan",
    "imminent",
    String.raw`\b(?:standing|sitting|hovering|lingering|i'?m|i\s+am)\s+(?:on|at|near)\s+(?:the\s+)?(?:edge|ledge|railing|windowsill|window\s+sill|train\s+tracks|railway\s+tracks|tracks)\b`,
  ),
  rule(
    "plan",
    "imminent",
    String.raw`\b(?:i'?m|i\s+am|standing|sitting)\s+(?:on|at)\s+(?:the|a|this)\s+(?:roof|rooftop|bridge)\s+(?:right\s+)?now\b`,
  ),
];

/** Plans that name no act: a crisis beside distress, a secretive time or a bare time (context.ts). */
const vaguePlans = [
  rule(
    "plan",
    "high",
    String.raw`\b(?:i'?ll|i\s+will|i'?m\s+(?:going\s+to|gonna|doing)|i\s+am\s+(?:going\s+to|gonna|doing))\s+(?:finally\s+|just\s+)?(?:do\s+)?it\b(?!\s+(?:again|for|with|like|right|properly|myself|together|later|wrong|differently))`,
    { pronoun: true, self: true },
  ),
  rule(
    "plan",
    "high",
    String.raw`^\s*(?:(?:ok(?:ay)?|so|yeah|yes|well|fine|right|alright)[,\s]+)?(?:i'?ve|i\s+have|i)\s+(?:finally\s+|already\s+)?(?:decided|made\s+up\s+my\s+mind|made\s+(?:my|the)\s+decision)(?=\s*(?:,|$))|^\s*(?:my\s+mind\s+is\s+made\s+up|decision\s+(?:is\s+)?made|it'?s\s+decided)(?=\s*(?:,|$))`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:tonight|today|tomorrow)(?:'s|\s+is|\s+will\s+be|'ll\s+be)\s+the\s+(?:night|day)\b(?!\s+(?:we|i|you|for|of|to|that|when|my|our|the|they|he|she|before|after|is|was)\b)|\bit'?s\s+(?:happening|going\s+to\s+happen|gonna\s+happen)\b`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:that'?s|this\s+is)\s+it\s+for\s+me\b(?!\s+(?:today|tonight|for|with|on|at))|\bit(?:'ll|\s+will)\s+(?:all\s+)?be\s+over\s+(?:soon|tonight|tomorrow|by)\b|\bnot\s+long\s+now\b`,
    { ending: true },
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:won'?t|will\s+not)\s+be\s+(?:here|around)\s*(?:[,.!?;]|$|anymore|any\s+more|anyway|by\s+then|after\s+(?:that|this|tonight|tomorrow))|\bif\s+i'?m\s+(?:not|no\s+longer)\s+(?:here|around|alive)\b`,
    { self: true },
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:it'?s|it\s+is|it\s+was|it\s+wasn'?t|it\s+isn'?t)\s+not\s+your\s+fault\b|\b(?:it'?s|it\s+is)\s+nobody'?s\s+fault\b|\bdon'?t\s+blame\s+(?:yourself|yourselves)\b|\bplease\s+forgive\s+me\b|\b(?:i'?m\s+)?sorry\s+for\s+everything\b`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:cancel(?:l?ed|l?ing)|quit|stopped)\s+(?:everything|all\s+my\s+(?:plans|appointments|subscriptions))\b|\b(?:started|been|i'?m|am)\s+planning\s+(?:how|it|when|where|the\s+details)\b`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:bought|got|picked\s+up|have|ordered)\s+(?:some\s+|the\s+|a\s+(?:bag|sack|box)\s+of\s+)?(?:charcoal|briquettes)\b(?![^.!?]{0,60}\b(?:bbq|barbecue|barbeque|grill|cookout|camping|tent|picnic|smoker|roast|art|drawing|sketch\w*|fire\s*pit|garden)\b)|\bthe\s+charcoal\s+(?:is|'s)\s+(?:in|under|on|ready)\b|\b(?:bought|got|picked\s+up)\s+(?:another|a\s+second|two\s+more|extra)\s+(?:box|boxes|pack|packs|bottle|bottles)\s+of\s+${PILLS}`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:giv(?:en|ing|e)|gave)\s+(?:away\s+)?(?:my|all\s+my|most\s+of\s+my|all\s+of\s+my)\s+(?:[a-z]+\s+){0,2}?(?:stuff|things|belongings|possessions|clothes|books|games|savings|money|cat|dog|pets?|plants)\b(?!\s+(?:before|because|since|for|to\s+charity)\b)|\b(?:decided|sorted(?:\s+out)?|figured\s+out|arranged|worked\s+out)\s+who\s+(?:gets|will\s+get|should\s+get|takes|will\s+take|looks\s+after|will\s+look\s+after)\s+(?:my|the)\s+`,
  ),
  rule(
    "plan",
    "high",
    String.raw`\b(?:put|putting|got|getting)\s+(?:all\s+)?my\s+affairs\s+in\s+order\b|\b(?:wrote|written|sorted|updated|made|making|writing)\s+(?:out\s+)?(?:my|a)\s+(?:last\s+)?will\b`,
  ),
  rule("plan", "high", String.raw`\b(?:the|my|all\s+my)\s+passwords\b`, { self: true }),
  rule(
    "plan",
    "high",
    String.raw`\b(?:wrote|written|writing|left|leaving)\s+(?:a\s+|the\s+|my\s+|some\s+|all\s+the\s+)?(?:note|notes|letter|letters)\b(?=\s*(?:[,.!?;]|$|(?:for|to)\s+(?:my\s+[a-z]+|them|him|her|everyone)\b))|\b(?:i'?m|i\s+am|just)\s+saying\s+goodbye\b(?=\s*(?:[,.!?;]|$))`,
  ),
  rule("plan", "high", String.raw`\bfor\s+(?:my\s+[a-z]+|them|him|her|someone|everyone)\s+to\s+find\b`, { self: true }),
  rule(
    "plan",
    "high",
    String.raw`^\s*(?:(?:it'?s|everything'?s|everything\s+is|it\s+is)\s+(?:all\s+)?(?:sorted|arranged|ready|set)|all\s+(?:sorted|set|arranged)|i'?ve\s+(?:sorted|arranged)\s+everything)\b|\bgot\s+everything\s+i\s+need\b(?!\s+(?:for|to\s+(?:make|bake|cook|build|start)))`,
  ),
  rule("plan", "high", String.raw`\b(?:the|my)\s+(?:cat|dog|pets?|rabbit|hamster)\s+(?:goes|is\s+going|will\s+go|'s\s+going)\s+to\b`, { self: true }),
  rule(
    "plan",
    "high",
    String.raw`\bthat'?s\s+(?:when|the\s+day|the\s+night|the\s+time)\s*(?:[,.!?;]|$)|\b(?:won'?t|not\s+going\s+to|will\s+not|never\s+going\s+to)\s+be\s+(?:a\s+)?(?:problem|burden|bother)\s+(?:to|for)\s+(?:anyone|anybody|everyone|you|them)\b`,
    { ending: true, self: true },
  ),
  rule("plan", "high", String.raw`\b(?:don'?t|do\s+not)\s+(?:plan|intend|expect)\s+(?:on|to)\s+(?:being|be)\s+(?:here|around|alive)\b`, {
    self: true,
  }),
  rule("plan", "high", String.raw`\bdeleted\s+(?:all\s+)?(?:my|of\s+my)\s+accounts\b|\bone[\s-]way\s+ticket\b`, { self: true }),
  rule(
    "plan",
    "high",
    String.raw`\b(?:i'?m|i\s+am)\s+not\s+coming\s+back\b|\b(?:no\s*one|nobody)\s+(?:will|'ll)\s+(?:have|need)\s+to\s+(?:worry|deal)\s+(?:about|with)\s+me\b|\b(?:i'?m|i\s+am)\s+(?:not|no\s+longer)\s+(?:scared|afraid|frightened)\s+(?:anymore|any\s+more)\b`,
    { self: true },
  ),
  rule("plan", "high", String.raw`\b(?:i'?m|i\s+am)\s+(?:at|on)\s+(?:the|a)\s+(?:cliffs?|cliff\s+edge|tracks|railway|bridge|roof|rooftop)\b`),
  rule("plan", "high", String.raw`\b(?:won'?t|will\s+not)\s+wake\s+up\s+(?:tomorrow|in\s+the\s+morning)\b`, { self: true }),
  rule("plan", "high", String.raw`\bif\s+(?:it|everything|all)\s+goes\s+to\s+plan\b`),
  rule("plan", "high", String.raw`\b(?:tonight|today|now)\s+or\s+never\b|\bgo\s+through\s+with\s+it\b`, { pronoun: true }),
  rule(
    "plan",
    "high",
    String.raw`^\s*(?:i'?ve\s+|i\s+)?(?:set|picked|chose|chosen)\s+(?:a|the)\s+(?:date|day)(?=\s*(?:,|$))|^\s*(?:goodbye|bye|farewell)(?:\s+(?:everyone|all|world))?\s*$|^\s*(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day|tonight|tomorrow)(?:\s+night)?\s+then\s*$`,
  ),
  // the room or the car sealed: with charcoal named in another sentence, two signs of one plan
  rule("plan", "high", String.raw`\b${SEAL}`),
  rule("plan", "high", String.raw`\b(?:won'?t|will\s+not)\s+be\s+needing\s+(?:the|my|these|those)\s+[a-z]+\s+(?:anymore|any\s+more)\b`, {
    self: true,
  }),
];

const vague: VagueRules = {
  plans: vaguePlans,
  distress: [
    rule(
      "indirect",
      "low",
      String.raw`\b(?:tired|sick|exhausted)\s+of\s+(?:it\s+all|everything|all\s+of\s+(?:it|this)|all\s+this|trying|fighting|pretending)\b`,
    ),
    rule(
      "indirect",
      "low",
      String.raw`\bnothing\s+(?:is\s+)?(?:ever\s+)?(?:going\s+to|gonna|will)\s+(?:ever\s+)?(?:change|get\s+better|be\s+different)\b|\bnothing\s+(?:ever\s+)?changes\b|\bit(?:'s|\s+is)?\s+(?:never|not)\s+(?:going\s+to|gonna)\s+get\s+better\b|\b(?:it|things)\s+(?:won'?t|will\s+never)\s+(?:ever\s+)?(?:get\s+better|change)\b`,
    ),
    rule(
      "indirect",
      "low",
      String.raw`\b(?:don'?t|can'?t|do\s+not|cannot)\s+see\s+(?:the|any)\s+point\s+(?:of|in)\s+(?:anything|any\s+of\s+(?:it|this))\b|\bnothing\s+matters\b|\bwhat'?s\s+the\s+point\s*(?:[,.!?;]|$|anyway|anymore)`,
    ),
    rule(
      "indirect",
      "low",
      String.raw`^\s*(?:i'?m|im|i\s+am)\s+(?:so\s+|just\s+|really\s+)?done\s*$|\b(?:i'?m|i\s+am)\s+(?:so\s+|just\s+|really\s+)?done\s+with\s+(?:all\s+of\s+(?:it|this)|everything|it\s+all)\b`,
      { self: true },
    ),
    rule(
      "indirect",
      "low",
      String.raw`\b(?:everything|it\s+all|life)\s+(?:just\s+)?(?:feels|is|seems)\s+(?:so\s+)?(?:heavy|grey|gray|dark|empty|numb|hopeless|pointless)\b|\bi\s+(?:just\s+)?feel\s+(?:so\s+|completely\s+|totally\s+)?(?:empty|numb|worthless|useless|hollow|dead\s+inside)\b|\bi'?m\s+(?:so\s+)?(?:worthless|useless|a\s+failure)\b|\bi\s+hate\s+(?:myself|my\s+life)\b`,
    ),
    rule(
      "indirect",
      "low",
      String.raw`\b(?:no\s*one|nobody)\s+(?:cares|would\s+(?:even\s+)?(?:care|notice|get\s+it|understand)|(?:gets|understands)\s+(?:it|me))\b|\bi\s+give\s+up\b|\b(?:don'?t|do\s+not)\s+care\s+what\s+happens\s+(?:to\s+me\s+)?(?:anymore|any\s+more)\b|\ba\s+weight\s+on\s+(?:everyone|everybody|my\s+family|them)\b`,
      { self: true },
    ),
  ],
  secretive:
    /\b(?:when|once|after|before|while|till|until)\s+(?:everyone|everybody|they|the\s+(?:house|flat|apartment)|my\s+(?:family|parents|wife|husband|partner|flatmate|roommate|kids|mum|mom|dad))(?:'s|'re|\s+is|\s+are|\s+has|\s+have|\s+goes|\s+go|\s+went)?\s+(?:all\s+)?(?:asleep|sleeping|gone\s+to\s+(?:bed|sleep)|go(?:es)?\s+to\s+(?:bed|sleep)|in\s+bed|out|away|empty|gone|leaves?|left)\b|\b(?:when|once|while|before)\s+(?:no\s*one|nobody|anyone|anybody)(?:'s|\s+is|\s+will\s+be)?\s+(?:is\s+)?(?:home|around|awake|up|here|looking|there)\b|\bwhen\s+i'?m\s+(?:home\s+)?alone\b|\bwait(?:ing)?\s+(?:for|till|until)\s+(?:everyone|everybody|them|my\s+[a-z]+)\s+to\s+(?:leave|go\s+out|go\s+to\s+(?:bed|sleep)|fall\s+asleep|be\s+asleep)\b/u,
  timeOnly: new RegExp(
    String.raw`^(?:(?:and|then|so|just|probably|maybe|it'?s|it\s+is|it'?ll\s+be|it\s+will\s+be|happening|on|at|by|around)\s+)*${TIME}(?:\s+(?:and\s+)?${TIME})*(?:\s+then)?$`,
    "u",
  ),
  task: /\b(?:homework|essay|assignment|coursework|project|report|presentation|laundry|washing|dishes|vacuum\w*|hoover\w*|cleaning|taxes|tax\s+return|paperwork|emails?|shopping|cooking|workout|revision|revising|studying|chores|invoices?|ironing|packing|painting|application|form)\b/u,
};

export const english: LanguageRules = {
  script: /[a-z]/,
  rules,
  vague,
  idioms:
    /\b(?:cut|burn(?:ed|t)?|hurt)\s+(?:my|him|her)sel(?:f|ves)\s+(?:shaving|cooking|chopping|on\s+the\s+(?:stove|oven|pan|iron|kettle)|by\s+accident|accidentally|while\s+[a-z]+ing)\b|\baccidentally\s+(?:cut|burn(?:ed|t)?|hurt)\s+(?:my|him|her)self\b|\bdead\s+to\s+(?:me|us|him|her|them)\b|\blet\s+me\s+die\s+in\s+peace\b|\bkill(?:ing)?\s+myself\s+(?:at|over)\s+(?:work|the\s+gym|this|that|my\s+job|school|nothing)\b|\bkilling\s+(?:my|him|her|them)sel(?:f|ves)\s+with\s+(?:work|overwork|workouts?|training|studying|overtime|homework|these\s+workouts)\b|\bjump\s+off\s+a\s+bridge\s+if\b|\bready\s+to\s+die\s+on\s+(?:this|that|a)\s+hill\b|\b(?:die|died|dying)\s+(?:of|from)\s+(?:laughter|laughing|embarrassment|cringe|boredom|shame)\b/gu,
  negation:
    /(?:^|\s)(?:not|never|no(?!\s+longer)|(?:do|does|did|would|wo|is|are|have|has|had|was|were)n'?t|dont|wont)\s+(?:(?:i|i'm|im|am|really|actually|ever|even|going|gonna|to|want|wanna|plan|plans|planning|intention|intentions|intend|thinking|think|thought|thoughts|about|of|be|feel|feeling|feelings|been|tried|try|trying|have|had|will|would|that|at|all|any|like|do|so|currently|a)\s+){0,4}$/u,
  question: /\basked\s+(?:me\s+|him\s+|her\s+|them\s+)?(?:if|whether)\b/u,
  media:
    /\b(?:movie|film|show|series|episode|book|novel|story|character|chapter|scene|song|lyrics|album|game|podcast|documentary|article|news|headline|report|study|statistics|stats|rates?|prevention|awareness|training|lecture|course|essay|research|history|celebrity|anime|manga|tv|netflix|villain|narrator|protagonist|thriller)\b/u,
  subject:
    /\b(?:(i|i'm|im|i've|ive|i'd|i'll|me|my|myself)|(he|she|they|him|her|them|his|their|who|someone|somebody|people|friends?|bf|gf|boyfriend|girlfriend|partner|wife|husband|mom|mum|mother|dad|father|parents?|brother|sister|sibling|son|daughter|kid|child|cousin|aunt|uncle|grandma|grandpa|grandmother|grandfather|roommate|flatmate|classmate|coworker|colleague|student|teacher|neighbou?r|bestie|bff|guy|girl|man|woman|character|narrator|protagonist|villain|celebrity|person)|(you|your|yourself))\b/gu,
  imminence:
    /\b(?:tonight|today|tomorrow|this\s+(?:weekend|week|evening|morning|afternoon)|right\s+now|rn|now|in\s+(?:an?\s+)?(?:hour|few\s+(?:minutes|hours))|after\s+(?:work|school|class|everyone|they|my\s+[a-z]+)|when\s+(?:everyone|everybody|they|my\s+[a-z]+)(?:'s|'re|\s+is|\s+are)?\s+(?:asleep|gone|out|leaves?)|monday|tuesday|wednesday|thursday|friday|saturday|sunday|at\s+midnight|before\s+(?:morning|sunrise)|(?:on|at)\s+the\s+(?:roof|rooftop|ledge|edge|railing)|(?:got|has|have|bought)\s+a\s+gun|(?:can'?t|cannot)\s+(?:reach|find|get\s+hold\s+of)\s+(?:him|her|them)|(?:won'?t|doesn'?t|isn'?t)\s+(?:pick(?:ing)?\s+up|answer(?:ing)?)|(?:door|room)\s+is\s+locked|locked\s+(?:herself|himself|themselves)\s+in|(?:isn'?t|is\s+not|not|won'?t\s+be)\s+(?:answering|breathing|waking\s+up)|(?:he|she|they)(?:'s|\s+is|'re|\s+are)\s+missing)\b/u,
  recent: /\b(?:last\s+night|this\s+morning|earlier\s+today|an?\s+hours?\s+ago|\d+\s+(?:minutes|hours)\s+ago|yesterday|just\s+now)\b/u,
  distant:
    /\b(?:years?\s+ago|months?\s+ago|weeks?\s+ago|last\s+(?:year|month|week|summer|winter|spring|fall|time)|when\s+i\s+was|as\s+a\s+(?:kid|teen|teenager)|in\s+(?:high\s+school|college|university|school)|once|back\s+then|in\s+(?:19|20)\d\d)\b/u,
};
